#!/usr/bin/env bash
# Times GET /v1/models for 50 models whose probes each take 200 ms (issue 2):
#   cold: a token the decision cache has never seen (expect ~1 s: five waves of ten probes)
#   warm: the same token again (expect a few milliseconds: every decision from the cache)
# Usage: bench/listing.sh [runs]   — prints medians; results also go to bench/results/listing.txt
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-7}
models=50
delay_ms=200
# shellcheck source=bench/lib.sh
source bench/lib.sh
build_release .build maas-proxy fake-model-server
make_workspace

{
  echo "models:"
  for i in $(seq 1 $models); do
    echo "  - {prefix: /llm/m$i, ids: [model-$i], delayMs: $delay_ms, default: {status: 200}}"
  done
} >"$work/backend.yaml"
start_fake_backend "$bin" "$work/backend.yaml" "$work/backend.out"
pids+=("$backend_pid")
port=$backend_port

mkdir "$work/models"
for i in $(seq 1 $models); do
  cat >>"$work/models/catalog.yaml" <<YAML
---
apiVersion: maas.opendatahub.io/v1alpha1
kind: MaaSModel
metadata: {name: m$i, namespace: bench}
spec: {modelRef: {kind: LLMInferenceService, name: m$i}}
status: {phase: Ready, endpoint: "http://127.0.0.1:$port/llm/m$i"}
YAML
done
"$bin/maas-proxy" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --models "$work/models" \
  >"$work/proxy.out" 2>&1 &
pids+=($!)
proxy_port=""
for _ in $(seq 1 100); do
  proxy_port=$(sed -n 's/.*"listen":"127.0.0.1:\([0-9]*\)".*/\1/p' "$work/proxy.out" | head -1)
  [ -n "$proxy_port" ] && break
  sleep 0.05
done
time_ms() { curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$proxy_port/v1/models" -H "Authorization: $1" | awk '{printf "%.1f\n", $1*1000}'; }

count=$(curl -s "http://127.0.0.1:$proxy_port/v1/models" -H "Authorization: Bearer warmup" | grep -o '"id"' | wc -l)
cold=(); warm=()
for r in $(seq 1 "$runs"); do
  cold+=("$(time_ms "Bearer cold-$r-$RANDOM")")
done
for r in $(seq 1 $((runs * 5))); do
  warm+=("$(time_ms "Bearer warmup")")
done
cold_median=$(printf '%s\n' "${cold[@]}" | median | xargs printf '%.1f')
warm_median=$(printf '%s\n' "${warm[@]}" | median | xargs printf '%.1f')
mkdir -p bench/results
{
  echo "# bench/listing.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, release build"
  echo "models=$models probe_delay=${delay_ms}ms probe.concurrency=10 listed=$count"
  echo "cold cache: median ${cold_median} ms over $runs runs (each a new token): ${cold[*]}"
  echo "warm cache: median ${warm_median} ms over $((runs * 5)) runs (same token)"
} | tee bench/results/listing.txt
