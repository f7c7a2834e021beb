#!/usr/bin/env bash
# One command to run DDI Explorer on a fresh machine: creates the virtualenv,
# installs, fetches + verifies the data bundle, prepares a model if none exists,
# then serves the dashboard. Re-running is fast: every step is skipped when done.
#   ./run.sh [--port N] [--no-serve] [--expose]
# The dashboard listens on 127.0.0.1 only. --expose listens on every interface: the
# dashboard has no authentication, so anyone who can reach the port can upload files,
# train and delete runs. Use it only on a trusted network (or behind a proxy with a login).
set -euo pipefail
cd "$(dirname "$0")"
PORT=${DDI_PORT:-8501}; SERVE=1; ADDRESS=127.0.0.1
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2 ;;
    --no-serve) SERVE=0; shift ;;
    --expose) ADDRESS=0.0.0.0; shift
      echo "warning: --expose serves the dashboard on every interface with no login" >&2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash scripts/setup_env.sh
. .venv/bin/activate
ddi data fetch -q
ddi prepare   # trains a quick model (a few minutes) when no finished run exists
if [ "$SERVE" = 1 ]; then
  exec streamlit run app.py --server.port "$PORT" --server.address "$ADDRESS" \
    --server.headless true --browser.gatherUsageStats false
fi
