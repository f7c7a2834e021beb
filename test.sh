#!/usr/bin/env bash
# One command to run the test suite on a fresh machine (sets up the virtualenv
# first). Extra arguments go to pytest, e.g. ./test.sh -m "not slow".
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup_env.sh
# the browser test drives Debian's Chromium; install it when missing and we can
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[test] installing chromium for the browser test" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "[test] could not install chromium" >&2
fi
. .venv/bin/activate
ruff check .
ruff format --check .
exec python -m pytest -q "$@"
