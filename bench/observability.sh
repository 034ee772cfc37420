#!/usr/bin/env bash
# The cost of access logging on the hot path (issue 5): wrk drives warm GET /v1/models (every
# decision from the cache) through the proxy with access logs on (--log-level info, JSON lines to
# /dev/null) and off (--log-level warning), alternating, and reports medians.
# Usage: bench/observability.sh [rounds] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-5}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product maas-proxy >/dev/null
swift build -c release --product fake-model-server >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

echo "models:" >"$work/backend.yaml"
for i in 1 2 3 4 5; do echo "  - {prefix: /m$i, ids: [m$i], default: {status: 200}}" >>"$work/backend.yaml"; done
"$bin/fake-model-server" --listen 127.0.0.1:0 --config "$work/backend.yaml" >"$work/backend.out" &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$work/backend.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$work/backend.out")
mkdir "$work/models"
for i in 1 2 3 4 5; do
  printf -- '---\napiVersion: maas.opendatahub.io/v1alpha1\nkind: MaaSModel\nmetadata: {name: m%s, namespace: bench}\nspec: {modelRef: {name: m%s}}\nstatus: {phase: Ready, endpoint: "http://127.0.0.1:%s/m%s"}\n' \
    "$i" "$i" "$port" "$i" >>"$work/models/catalog.yaml"
done
cat >"$work/auth.lua" <<'LUA'
wrk.headers["Authorization"] = "Bearer bench"
LUA

run() { # level -> "req/s p50_ms"
  "$bin/maas-proxy" serve --listen 127.0.0.1:18480 --admin-listen 127.0.0.1:18490 --models "$work/models" \
    --workers 1 --log-level "$1" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf http://127.0.0.1:18490/readyz >/dev/null 2>&1 && break; sleep 0.05; done
  curl -s -o /dev/null http://127.0.0.1:18480/v1/models -H 'Authorization: Bearer bench'
  local out
  out=$(wrk -t1 -c16 -d"${seconds}s" --latency -s "$work/auth.lua" http://127.0.0.1:18480/v1/models)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local rps p50
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  echo "$rps $p50"
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

on_rps=(); on_p50=(); off_rps=(); off_p50=()
for _ in $(seq 1 "$rounds"); do
  read -r r p <<<"$(run info)"; on_rps+=("$r"); on_p50+=("$p")
  read -r r p <<<"$(run warning)"; off_rps+=("$r"); off_p50+=("$p")
done
on=$(printf '%s\n' "${on_rps[@]}" | median); off=$(printf '%s\n' "${off_rps[@]}" | median)
mkdir -p bench/results
{
  echo "# bench/observability.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores shared by wrk, proxy (1 worker) and backend"
  echo "warm GET /v1/models, 5 models, wrk -t1 -c16 -d${seconds}s, $rounds alternating rounds"
  echo "access log on  (info):    median $on req/s, p50 $(printf '%s\n' "${on_p50[@]}" | median) ms  (runs: ${on_rps[*]})"
  echo "access log off (warning): median $off req/s, p50 $(printf '%s\n' "${off_p50[@]}" | median) ms  (runs: ${off_rps[*]})"
  echo "ratio on/off: $(awk -v a="$on" -v b="$off" 'BEGIN {printf "%.3f", a/b}')  (metrics are always on in both)"
} | tee bench/results/observability.txt
