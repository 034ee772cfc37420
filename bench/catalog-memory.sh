#!/usr/bin/env bash
# Catalog memory (issue 13 item 2): the RSS of maas-proxy before a large manifest is loaded, at
# the peak while it loads, once it is loaded, and after the file is removed.
#   1. maas-proxy starts on an empty models directory (release build, default workers); RSS is read
#      from /proc/PID/status once it serves.
#   2. A MODELS-model manifest (bench/catalog-manifest.py; 20 000 models are 5.6 MB) is moved into
#      the directory; the poller loads it. "peak" is VmHWM (the high-water mark of RSS), "loaded"
#      the RSS 2 s after the "manifest loaded" line and one forwarded call (which builds the route
#      table of the new catalog: routing state is built on the first request after a change).
#   3. The file is removed; "removed" is the RSS 3 s after the "manifest removed" line.
# Per model = (loaded - before) / MODELS. Each step runs ROUNDS times in one process (load,
# remove, load, …) so memory that does not come back shows up as growth.
#
# Usage: bash bench/catalog-memory.sh          (about a minute)
# Env:   BIN=dir       directory holding a release maas-proxy (default: builds .build-release)
#        MODELS=20000  ROUNDS=2  OUT=bench/results/catalog-memory.txt  LABEL=text for the header
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

models=${MODELS:-20000}
rounds=${ROUNDS:-2}
out=${OUT:-bench/results/catalog-memory.txt}
if [ -z "${BIN:-}" ]; then build_release .build-release maas-proxy; else bin=$BIN; fi
make_workspace
mkdir -p "$work/models"
python3 bench/catalog-manifest.py "$models" >"$work/manifest.yaml"
bytes=$(stat -c %s "$work/manifest.yaml")

"$bin/maas-proxy" serve --listen "127.0.0.1:$(free_port)" --admin-listen "127.0.0.1:$(free_port)" \
  --models "$work/models" --log-level info >"$work/proxy.out" 2>&1 &
pid=$!
pids+=("$pid")
for _ in $(seq 1 200); do grep -q '"msg":"serving"' "$work/proxy.out" 2>/dev/null && break; sleep 0.05; done
grep -q '"msg":"serving"' "$work/proxy.out" || { cat "$work/proxy.out"; exit 1; }

rss_mb() { awk -v key="$1:" '$1 == key {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
wait_lines() { # message count -> waits until the log holds COUNT lines with that message (60 s at most)
  for _ in $(seq 1 1200); do
    [ "$(grep -c "\"msg\":\"$1\"" "$work/proxy.out")" -ge "$2" ] && return 0
    sleep 0.05
  done
  echo "timed out waiting for '$1'" >&2
  exit 1
}

proxy_port=$(sed -n 's/.*"listen":"127.0.0.1:\([0-9]*\)".*/\1/p' "$work/proxy.out" | head -1)
route_call() { # a call no model routes: the proxy builds the routing state of the catalog and answers 404
  curl -s -o /dev/null -X POST "http://127.0.0.1:$proxy_port/nowhere/v1/chat/completions" \
    -H "Authorization: Bearer bench" -H "Content-Type: application/json" -d '{"model":"none"}' || true
}
route_call
sleep 1
before=$(rss_mb VmRSS)
lines=()
for round in $(seq 1 "$rounds"); do
  cp "$work/manifest.yaml" "$work/models/.incoming"
  start=$(date +%s.%N)
  mv "$work/models/.incoming" "$work/models/models.yaml"
  wait_lines "manifest loaded" "$round"
  load_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
  route_call
  sleep 2
  loaded=$(rss_mb VmRSS)
  peak=$(rss_mb VmHWM)
  rm "$work/models/models.yaml"
  wait_lines "manifest removed; its models leave the catalog" "$round"
  route_call
  sleep 3
  removed=$(rss_mb VmRSS)
  per_model=$(awk -v a="$loaded" -v b="$before" -v n="$models" 'BEGIN {printf "%.1f", (a - b) * 1024 / n}')
  lines+=("round $round: before ${before} MB, peak ${peak} MB, loaded ${loaded} MB (${per_model} KB/model, loaded in ${load_s} s), after removal ${removed} MB")
done
mkdir -p "$(dirname "$out")"
{
  echo "# bench/catalog-memory.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, release build${LABEL:+, $LABEL}"
  echo "models=$models manifest=${bytes} bytes workers=default rounds=$rounds"
  printf '%s\n' "${lines[@]}"
} | tee "$out"
