#!/bin/sh
# The container's entrypoint (Dockerfile); tests/e2e/test_entrypoint.py runs this very script without a container.
#   entrypoint.sh [serve [ARGS]]  wait for the database (TSUNAGU_DB_WAIT seconds, default 60), apply migrations,
#                                 then become `tsunagu serve --workers ${TSUNAGU_WORKERS:-1} ARGS`
#   entrypoint.sh healthcheck     exit 0 when http://127.0.0.1:$TSUNAGU_PORT/healthz answers 200 (HEALTHCHECK)
#   entrypoint.sh COMMAND ...     any other tsunagu command: backup FILE, restore FILE, counselor add …
set -eu

serve() {
  deadline=$(( $(date +%s) + ${TSUNAGU_DB_WAIT:-60} ))
  while :; do
    if tsunagu db upgrade >/dev/null; then
      break
    else
      status=$?
    fi
    # exit 1: the database cannot be reached yet (it may be starting); anything else is a mistake to fix
    if [ "$status" -ne 1 ] || [ "$(date +%s)" -ge "$deadline" ]; then
      exit "$status"
    fi
    sleep 2
  done
  exec tsunagu serve --workers "${TSUNAGU_WORKERS:-1}" "$@"
}

healthcheck() {
  exec python3 - <<'PY'
import os
import sys
import urllib.request

url = f"http://127.0.0.1:{os.environ.get('TSUNAGU_PORT') or '8000'}/healthz"
try:
    with urllib.request.urlopen(url, timeout=4) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except OSError:
    sys.exit(1)
PY
}

command="${1:-serve}"
[ "$#" -gt 0 ] && shift
case "$command" in
  serve) serve "$@" ;;
  healthcheck) healthcheck ;;
  *) exec tsunagu "$command" "$@" ;;
esac
