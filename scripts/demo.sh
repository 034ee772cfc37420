#!/usr/bin/env bash
# Quick start: installs what is missing, builds, starts two fake model backends and maas-proxy on the
# bundled configuration, shows two tokens seeing different model lists, then keeps serving until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "building (the first build takes a few minutes)..."
swift build --quiet --product maas-proxy
swift build --quiet --product fake-model-server
bin=$(swift build --show-bin-path)

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$bin/fake-model-server" --listen 127.0.0.1:8001 --config config/demo/backend-a.yaml --name backend-a >/dev/null &
pids+=($!)
"$bin/fake-model-server" --listen 127.0.0.1:8002 --config config/demo/backend-b.yaml --name backend-b >/dev/null &
pids+=($!)
log=.build/demo-proxy.log
"$bin/maas-proxy" serve --config config/maas-proxy.yaml >"$log" 2>&1 &
pids+=($!)

for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:9090/readyz >/dev/null 2>&1 && break
  sleep 0.1
done

show() {
  echo
  printf '$'; printf ' %q' "$@"; echo
  "$@"
  echo
}
show curl -sS http://127.0.0.1:8080/v1/models -H 'Authorization: Bearer alice-token'
show curl -sS http://127.0.0.1:8080/v1/models -H 'Authorization: Bearer bob-token'
show curl -sS http://127.0.0.1:8080/v1/models
echo "maas-proxy is serving on http://127.0.0.1:8080 (admin on 127.0.0.1:9090); its JSON log is $log."
echo "Ctrl-C stops everything."
wait "${pids[2]}"
