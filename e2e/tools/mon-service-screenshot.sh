#!/usr/bin/env bash
# Makes docs/img/mon-service.png: a scratch server (a temporary data directory, never a real
# one) with an officer created with the command line, whose last hours of exposure and breaks
# are written straight into the scratch database (seed_wellbeing.py), and headless Chromium
# photographing their "Mon service" page (docs/WELLBEING.md).
# Needs a built binary (cargo build; or ECOUTE_BIN), python3, chromium and `npm ci --prefix e2e`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ECOUTE_BIN:-$root/target/debug/ecoute}
port=${PORT:-18096}
out=${1:-$root/docs/img/mon-service.png}
dir=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
export ECOUTE_DATA_DIR=$dir ECOUTE_LOG=warn
export ECOUTE_WELLBEING_SUPPORT_CONTACT='Psychologue de permanence : poste 4421, 24 h sur 24'
password='a long enough password'
uri=$(printf '%s\n' "$password" | "$bin" user add --username camille --role officer \
  --display-name 'Camille Martin' --totp-uri)
secret=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$uri")
python3 "$root/e2e/tools/seed_wellbeing.py" "$dir/ecoute.db" camille
"$bin" serve --listen "127.0.0.1:$port" &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
node "$root/e2e/tools/mon-service-screenshot.mjs" "http://127.0.0.1:$port" camille "$password" "$secret" "$out"
echo "wrote $out"
