#!/usr/bin/env bash
# One command to run the test suite on a fresh machine (sets up the virtualenv
# first). Extra arguments go to pytest, e.g. ./test.sh -m "not slow".
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup_env.sh
. .venv/bin/activate
ruff check .
exec python -m pytest -q "$@"
