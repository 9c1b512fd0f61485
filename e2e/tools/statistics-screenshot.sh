#!/usr/bin/env bash
# Makes docs/img/statistics.png and docs/img/staffing.png: a scratch server (a temporary data directory, never a real
# one) whose statistics record holds eight weeks of synthetic rows (seed_statistics.py), a
# supervisor created with the command line, and headless Chromium photographing the pages.
# Needs a built binary (cargo build; or ECOUTE_BIN), python3, chromium and `npm ci --prefix e2e`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ECOUTE_BIN:-$root/target/debug/ecoute}
port=${PORT:-18095}
out=${1:-$root/docs/img/statistics.png}
staffing=${2:-$root/docs/img/staffing.png}
dir=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
export ECOUTE_DATA_DIR=$dir ECOUTE_LOG=warn
password='a long enough password'
uri=$(printf '%s\n' "$password" | "$bin" user add --username statistiques --role supervisor \
  --display-name 'Superviseure Statistiques' --totp-uri)
secret=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$uri")
python3 "$root/e2e/tools/seed_statistics.py" "$dir/ecoute.db"
"$bin" serve --listen "127.0.0.1:$port" &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
node "$root/e2e/tools/statistics-screenshot.mjs" "http://127.0.0.1:$port" statistiques "$password" "$secret" "$out" "$staffing"
echo "wrote $out and $staffing"
