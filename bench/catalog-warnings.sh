#!/usr/bin/env bash
# Warning lines the catalog writes (issue 13 item 3, SPEC 6 Logs), counted in the log of a release
# maas-proxy at the default level (info):
#   A. 200 models defined in two files, over 20 rebuilds: each rebuild rewrites the second file
#      (a new comment) or removes it, then sends SIGHUP and waits for "configuration reloaded".
#   B. A churn of duplicate manifests for CHURN seconds: a base file of CHURN_MODELS models and,
#      every CHURN_STEP seconds, a new copy of it under a new name while the previous copy is
#      removed (the poller sees each within 1 s).
# For each: warning lines, all log lines, and log bytes.
#
# Usage: bash bench/catalog-warnings.sh        (CHURN seconds plus a few)
# Env:   BIN=dir (default: builds .build-release)  CHURN=180  CHURN_MODELS=2000  CHURN_STEP=0.5
#        OUT=bench/results/catalog-warnings.txt  LABEL=text for the header
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

churn=${CHURN:-180}
churn_models=${CHURN_MODELS:-2000}
step=${CHURN_STEP:-0.5}
out=${OUT:-bench/results/catalog-warnings.txt}
if [ -z "${BIN:-}" ]; then build_release .build-release maas-proxy; else bin=$BIN; fi
make_workspace

start_proxy() { # models_dir log -> sets pid
  "$bin/maas-proxy" serve --listen "127.0.0.1:$(free_port)" --admin-listen "127.0.0.1:$(free_port)" \
    --models "$1" --log-level info >"$2" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do grep -q '"msg":"serving"' "$2" 2>/dev/null && return 0; sleep 0.05; done
  cat "$2"
  exit 1
}
count() { # log -> "warnings lines bytes"
  echo "$(grep -c '"level":"warning"' "$1" || true) $(wc -l <"$1") $(wc -c <"$1")"
}

# A. 200 models in two files, 20 rebuilds.
mkdir -p "$work/a"
python3 bench/catalog-manifest.py 200 >"$work/a/1.yaml"
cp "$work/a/1.yaml" "$work/a/2.yaml"
start_proxy "$work/a" "$work/a.log"
for round in $(seq 1 20); do
  if [ $((round % 2)) -eq 0 ]; then
    rm "$work/a/2.yaml"
  else
    { echo "# round $round"; cat "$work/a/1.yaml"; } >"$work/a/.2" && mv "$work/a/.2" "$work/a/2.yaml"
  fi
  kill -HUP "$pid"
  for _ in $(seq 1 200); do
    [ "$(grep -c '"msg":"configuration reloaded"' "$work/a.log")" -ge "$round" ] && break
    sleep 0.05
  done
done
sleep 1
read -r a_warnings a_lines a_bytes <<<"$(count "$work/a.log")"
kill "$pid"

# B. The churn.
mkdir -p "$work/b"
python3 bench/catalog-manifest.py "$churn_models" >"$work/base.yaml"
cp "$work/base.yaml" "$work/b/base.yaml"
start_proxy "$work/b" "$work/b.log"
end=$(($(date +%s) + churn))
copies=0
while [ "$(date +%s)" -lt "$end" ]; do
  copies=$((copies + 1))
  cp "$work/base.yaml" "$work/b/.copy" && mv "$work/b/.copy" "$work/b/copy-$copies.yaml"
  rm -f "$work/b/copy-$((copies - 1)).yaml"
  sleep "$step"
done
sleep 2
read -r b_warnings b_lines b_bytes <<<"$(count "$work/b.log")"
rss=$(awk '$1 == "VmHWM:" {printf "%.0f", $2 / 1024}' "/proc/$pid/status")

mkdir -p "$(dirname "$out")"
{
  echo "# bench/catalog-warnings.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, release build${LABEL:+, $LABEL}"
  echo "A. 200 models in two files, 20 rebuilds (rewrite or remove the second file, then SIGHUP):"
  echo "   ${a_warnings} warning lines, ${a_lines} log lines, ${a_bytes} bytes"
  echo "B. churn: ${churn} s, a ${churn_models}-model base file and ${copies} duplicate copies, one every ${step} s:"
  echo "   ${b_warnings} warning lines, ${b_lines} log lines, ${b_bytes} bytes; peak RSS ${rss} MB"
} | tee "$out"
