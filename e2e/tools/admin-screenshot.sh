#!/usr/bin/env bash
# Makes docs/img/admin.png: a scratch server (a temporary data directory, never a real one)
# with a few accounts made on the command line (one of them disabled, one logged in), and
# headless Chromium photographing the administrators' accounts page.
# Needs a built binary (cargo build; or ECOUTE_BIN), chromium and `npm ci --prefix e2e`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ECOUTE_BIN:-$root/target/debug/ecoute}
port=${PORT:-18096}
out=${1:-$root/docs/img/admin.png}
dir=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
export ECOUTE_DATA_DIR=$dir ECOUTE_LOG=warn
password='a long enough password'
uri=$(printf '%s\n' "$password" | "$bin" user add --username admin.dupont --role admin \
  --display-name 'Administratrice Dupont' --totp-uri)
secret=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' <<<"$uri")
add() { printf '%s\n' "$password" | "$bin" user add "$@" >/dev/null; }
add --username agent.martin --role officer --display-name 'Agent Martin' --force police --languages fr,en --capacity 3
add --username agent.leroy --role officer --display-name 'Agent Leroy' --force gendarmerie --minors true --capacity 2
add --username agent.haddad --role officer --display-name 'Agent Haddad' --languages fr,ar --capacity 4
add --username sup.bernard --role supervisor --display-name 'Superviseure Bernard'
"$bin" user disable agent.leroy >/dev/null
"$bin" serve --listen "127.0.0.1:$port" &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
node "$root/e2e/tools/admin-screenshot.mjs" "http://127.0.0.1:$port" admin.dupont "$password" "$secret" "$out"
echo "wrote $out"
