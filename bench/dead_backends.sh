#!/usr/bin/env bash
# What dead backends cost the callers of a live one (issue 13, SPEC 3.2: backend health is shared):
#   cold listing     GET /v1/models for a new token, 1 live model + DEAD models whose endpoints are
#                    closed ports on 127.0.0.1 (connect refused), probe.deadline 15 s (the default)
#   next caller      the same listing for another new token right after (its decisions are not cached)
#   after down       a proxy over the live model only, whose backend is then stopped: the first and the
#                    second listing after that (Cache-Control: no-cache, so each probes), and a
#                    body-routed POST /v1/chat/completions naming the model for a caller with no decision
#   back             the time from restarting the backend on its port until a listing shows it again
# Each figure is the median of RUNS (each run a fresh proxy, so every listing is really cold).
#
# Usage: bash bench/dead_backends.sh [label]   (label names the result line, e.g. "before" or "after")
# Env:   BIN=DIR      a directory holding maas-proxy and fake-model-server (skips the build; e.g. the
#                     release binaries of another commit, to compare)
#        SCRATCH=.build-release   swift build --scratch-path when building (release)
#        DEAD=1000    unreachable models      RUNS=3    runs per figure
# Results are appended to bench/results/dead_backends.txt.
set -euo pipefail
[ -z "${BIN:-}" ] || BIN=$(cd "$BIN" && pwd)
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
label=${1:-$(git rev-parse --short HEAD)}
dead=${DEAD:-1000}
runs=${RUNS:-3}
if [ -n "${BIN:-}" ]; then bin=$BIN; else build_release "${SCRATCH:-.build-release}" maas-proxy fake-model-server; fi
make_workspace

echo "models:" >"$work/backend.yaml"
echo "  - {prefix: /live, ids: [live], default: {status: 200}}" >>"$work/backend.yaml"

model_yaml() { # name namespace endpoint
  printf -- '---\napiVersion: maas.opendatahub.io/v1alpha1\nkind: MaaSModel\nmetadata: {name: %s, namespace: %s}\nspec: {modelRef: {kind: LLMInferenceService, name: %s}}\nstatus: {phase: Ready, endpoint: "%s"}\n' "$1" "$2" "$1" "$3"
}

closed_ports() { # count -> ports on 127.0.0.1 that refuse connections now, from 1 upwards
  local port=1 found=0
  while [ "$found" -lt "$1" ]; do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      found=$((found + 1))
    fi
    port=$((port + 1))
  done
}
mapfile -t dead_ports < <(closed_ports "$dead")

start_proxy() { # models_dir out -> sets proxy_port, proxy_pid, admin_port
  "$bin/maas-proxy" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --models "$1" --workers 1 \
    >"$2" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
  proxy_port=""
  for _ in $(seq 1 200); do
    proxy_port=$(sed -n 's/.*"listen":"127.0.0.1:\([0-9]*\)".*/\1/p' "$2" | head -1)
    [ -n "$proxy_port" ] && break
    sleep 0.05
  done
  admin_port=$(sed -n 's/.*"admin":"127.0.0.1:\([0-9]*\)".*/\1/p' "$2" | head -1)
  wait_ready "$admin_port" "$proxy_pid"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

listing() { # token [curl args] -> "ms listed-count"
  local token=$1
  shift
  curl -s -o "$work/listing.json" -w '%{time_total}\n' "http://127.0.0.1:$proxy_port/v1/models" \
    -H "Authorization: $token" "$@" | awk '{printf "%.1f", $1 * 1000}'
  printf ' %s\n' "$(grep -o '"id"' "$work/listing.json" | wc -l)"
}

post_ms() { # token -> "ms status" of a body-routed chat completion for the live model
  curl -s -o /dev/null -w '%{time_total} %{http_code}\n' -X POST "http://127.0.0.1:$proxy_port/v1/chat/completions" \
    -H "Authorization: $1" -H 'Content-Type: application/json' -d '{"model":"live","messages":[]}' |
    awk '{printf "%.1f %s\n", $1 * 1000, $2}'
}

cold=() next=() down1=() down2=() post=() back=() listed_cold=() listed_next=()
for run in $(seq 1 "$runs"); do
  # Part 1: one live model among DEAD unreachable ones.
  start_fake_backend "$bin" "$work/backend.yaml" "$work/backend.out"
  pids+=("$backend_pid")
  # lib.sh waits 5 s; on the shared machine under other builds a start can take longer.
  for _ in $(seq 1 200); do
    [ -n "$backend_port" ] && break
    sleep 0.05
    backend_port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$work/backend.out")
  done
  [ -n "$backend_port" ] || { echo "fake-model-server did not start: $(cat "$work/backend.out"); $(ps -o pid,stat,etime,args -p "$backend_pid" | tail -1)" >&2; exit 1; }
  rm -rf "$work/models" && mkdir "$work/models"
  {
    for i in "${!dead_ports[@]}"; do model_yaml "d$i" dead "http://127.0.0.1:${dead_ports[$i]}/d$i"; done
    model_yaml live live "http://127.0.0.1:$backend_port/live"
  } >"$work/models/catalog.yaml"
  start_proxy "$work/models" "$work/proxy.out"
  read -r ms count < <(listing "Bearer cold-$run")
  cold+=("$ms") listed_cold+=("$count")
  read -r ms count < <(listing "Bearer next-$run")
  next+=("$ms") listed_next+=("$count")
  stop "$proxy_pid"

  # Part 2: the live model alone; its backend goes down, then comes back on the same port.
  model_yaml live live "http://127.0.0.1:$backend_port/live" >"$work/models/catalog.yaml"
  start_proxy "$work/models" "$work/proxy.out"
  listing "Bearer warm-$run" -H 'Cache-Control: no-cache' >/dev/null
  stop "$backend_pid"
  read -r ms _ < <(listing "Bearer a-$run" -H 'Cache-Control: no-cache')
  down1+=("$ms")
  read -r ms _ < <(listing "Bearer b-$run" -H 'Cache-Control: no-cache')
  down2+=("$ms")
  read -r ms _ < <(post_ms "Bearer c-$run")
  post+=("$ms")
  "$bin/fake-model-server" --listen "127.0.0.1:$backend_port" --config "$work/backend.yaml" >"$work/again.out" 2>&1 &
  again=$!
  pids+=("$again")
  started=$(date +%s%N)
  until [ "$(listing "Bearer back-$run-$RANDOM" -H 'Cache-Control: no-cache' | cut -d' ' -f2)" = 1 ]; do
    sleep 0.05
    [ $(($(date +%s%N) - started)) -lt 60000000000 ] || break
  done
  back+=("$(( ($(date +%s%N) - started) / 1000000 ))")
  stop "$proxy_pid"
  stop "$again"
done

med() { printf '%s\n' "$@" | median | xargs printf '%.0f'; }
mkdir -p bench/results
{
  echo "# bench/dead_backends.sh $label — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(basename "$(dirname "$bin")")/$(basename "$bin") binaries, $runs runs, medians in ms"
  echo "cold listing, 1 live + $dead unreachable: ${cold[*]} (median $(med "${cold[@]}") ms; listed: ${listed_cold[*]})"
  echo "next caller's cold listing:           ${next[*]} (median $(med "${next[@]}") ms; listed: ${listed_next[*]})"
  echo "backend stopped, first listing:       ${down1[*]} (median $(med "${down1[@]}") ms)"
  echo "backend stopped, second listing:      ${down2[*]} (median $(med "${down2[@]}") ms)"
  echo "backend stopped, body-routed POST:    ${post[*]} (median $(med "${post[@]}") ms)"
  echo "backend restarted, listed again after: ${back[*]} (median $(med "${back[@]}") ms)"
} | tee -a bench/results/dead_backends.txt
