#!/usr/bin/env bash
# What access logging and metrics cost on the hot path (issue 5). Four maas-proxy processes over
# the same fake backend and one-model catalog as bench/forwarding.sh (bench/lib.sh), one per
# configuration:
#   log+metrics  --log-level info (one JSON access line per request, stdout to /dev/null), metrics on
#   metrics      --log-level warning (no access lines), metrics on
#   log          --log-level info, metrics off (config file: metrics: {enabled: false})
#   none         --log-level warning, metrics off
# wrk drives each with non-streamed POST /v1/chat/completions (routed by the body's `model`, decision
# cached, forwarded to the backend) and, unless PATHS says otherwise, warm GET /v1/models (answered
# from the decision cache, nothing forwarded). After a warm-up of each, configurations alternate
# within each round, starting one further along each round; the table holds the median req/s and
# p50 over the rounds, their ratios to "none", and the median of each round's req/s ratio to
# "none" in that round (robust to load that drifts between rounds), and goes to
# bench/results/observability.txt.
# All processes share the machine's cores with wrk: compare ratios, not absolute numbers.
#
# Usage: bash bench/observability.sh
# Env:   ROUNDS=9        alternating rounds              DURATION=4s   wrk -d per measured run
#        WARMUP=2s       wrk -d of each warm-up          WORKERS=1     proxy --workers
#        CONNECTIONS=16  wrk -c                          THREADS=1     wrk -t
#        PATHS="chat models"  which requests to drive    SCRATCH=.build  swift build --scratch-path
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
rounds=${ROUNDS:-9}
duration=${DURATION:-4s}
warmup=${WARMUP:-2s}
workers=${WORKERS:-1}
connections=${CONNECTIONS:-16}
threads=${THREADS:-1}
paths=${PATHS:-chat models}
scratch=${SCRATCH:-.build}
configs=(log+metrics metrics log none)
command_line="ROUNDS=$rounds DURATION=$duration WARMUP=$warmup WORKERS=$workers CONNECTIONS=$connections"
command_line+=" THREADS=$threads PATHS=\"$paths\""
[ "$scratch" = .build ] || command_line+=" SCRATCH=$scratch"
command_line+=" bash bench/observability.sh"

for path in $paths; do
  case $path in chat | models) ;; *) echo "observability: unknown path '$path' in PATHS" >&2; exit 2 ;; esac
done
command -v wrk >/dev/null || { echo "observability: wrk is required (apt-get install wrk)" >&2; exit 1; }
build_release "$scratch" maas-proxy fake-model-server
make_workspace
fail() { echo "observability: $1" >&2; shift; for f in "$@"; do echo "--- tail of $f" >&2; tail -n 30 "$work/$f" >&2 || true; done; exit 1; }

start_fake_backend "$bin" config/demo/backend-a.yaml "$work/backend.out"
pids+=("$backend_pid")
[ -n "$backend_port" ] || fail "the fake backend did not start" backend.out
write_bench_catalog "$work/models" "http://127.0.0.1:$backend_port"
write_post_lua "$work/post.lua"
echo "wrk.headers[\"Authorization\"] = \"$bench_token\"" >"$work/get.lua"
printf 'metrics:\n  enabled: true\n' >"$work/metrics-on.yaml"
printf 'metrics:\n  enabled: false\n' >"$work/metrics-off.yaml"

declare -A level=([log+metrics]=info [metrics]=warning [log]=info [none]=warning)
declare -A metrics=([log+metrics]=on [metrics]=on [log]=off [none]=off)
declare -A proxy_port admin_port proxy_pid
for config in "${configs[@]}"; do
  proxy_port[$config]=$(free_port)
  admin_port[$config]=$(free_port)
  while [ "${admin_port[$config]}" = "${proxy_port[$config]}" ]; do admin_port[$config]=$(free_port); done
  # Access lines (stdout) go to /dev/null for every configuration; start-up errors are on stderr.
  "$bin/maas-proxy" serve --config "$work/metrics-${metrics[$config]}.yaml" \
    --listen "127.0.0.1:${proxy_port[$config]}" --admin-listen "127.0.0.1:${admin_port[$config]}" \
    --models "$work/models" --workers "$workers" --log-level "${level[$config]}" \
    >/dev/null 2>"$work/proxy-$config.err" &
  proxy_pid[$config]=$!
  pids+=("${proxy_pid[$config]}")
  wait_ready "${admin_port[$config]}" "${proxy_pid[$config]}" || fail "maas-proxy ($config) did not become ready" "proxy-$config.err"
done

url() { # config path
  if [ "$2" = chat ]; then echo "http://127.0.0.1:${proxy_port[$1]}/v1/chat/completions"; else echo "http://127.0.0.1:${proxy_port[$1]}/v1/models"; fi
}
script() { if [ "$1" = chat ]; then echo "$work/post.lua"; else echo "$work/get.lua"; fi; }

# Each configuration must answer 200 on each path before anything is measured.
for config in "${configs[@]}"; do
  for path in $paths; do
    if [ "$path" = chat ]; then
      status=$(curl -s -o "$work/check.json" -w '%{http_code}' "$(url "$config" chat)" \
        -H "Authorization: $bench_token" -H 'Content-Type: application/json' -d "$bench_body" || true)
      grep -q '"object":"chat.completion"' "$work/check.json" || status="$status (not a chat completion)"
    else
      status=$(curl -s -o "$work/check.json" -w '%{http_code}' "$(url "$config" models)" \
        -H "Authorization: $bench_token" || true)
      grep -q "\"$bench_model_id\"" "$work/check.json" || status="$status (model not listed)"
    fi
    [ "$status" = 200 ] || fail "$config answered $status on $path" "proxy-$config.err" backend.out
  done
done

run_wrk() { # config path duration -> "req/s p50_ms p99_ms errors"
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$3" --latency -s "$(script "$2")" "$(url "$1" "$2")")
  echo "$out" >>"$work/wrk-$1-$2.txt"
  wrk_summary <<<"$out"
}

for path in $paths; do
  for config in "${configs[@]}"; do run_wrk "$config" "$path" "$warmup" >/dev/null; done
done
declare -A rps_runs p50_runs errors_total paired_runs
for round in $(seq 1 "$rounds"); do
  for path in $paths; do
    declare -A this_round=()
    for i in 0 1 2 3; do
      config=${configs[$(((round - 1 + i) % 4))]}
      read -r r p50 _ e <<<"$(run_wrk "$config" "$path" "$duration")"
      echo "round $round $path $config: $r req/s, p50 $p50 ms, errors $e" >&2
      this_round[$config]=$r
      rps_runs[$path/$config]+="$r "
      p50_runs[$path/$config]+="$p50 "
      errors_total[$path/$config]=$((${errors_total[$path/$config]:-0} + e))
    done
    for config in "${configs[@]}"; do
      paired_runs[$path/$config]+="$(awk -v a="${this_round[$config]}" -v b="${this_round[none]}" 'BEGIN {print a / b}') "
    done
  done
done

# With metrics off nothing is recorded: the request series must be absent from /metrics.
declare -A series
for config in "${configs[@]}"; do
  series[$config]=$(curl -s "http://127.0.0.1:${admin_port[$config]}/metrics" | grep -c '^maas_proxy_requests_total{' || true)
done

declare -A rps_median p50_median paired_median
for key in "${!rps_runs[@]}"; do
  rps_median[$key]=$(tr ' ' '\n' <<<"${rps_runs[$key]}" | grep . | median)
  p50_median[$key]=$(tr ' ' '\n' <<<"${p50_runs[$key]}" | grep . | median)
  paired_median[$key]=$(tr ' ' '\n' <<<"${paired_runs[$key]}" | grep . | median)
done

mkdir -p bench/results
{
  echo "# bench/observability.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $(wrk -v 2>&1 | head -1 | awk '{print "wrk " $2}'), release build"
  echo "command: $command_line"
  echo "maas-proxy --workers $workers, wrk -t$threads -c$connections -d$duration --latency, warm-up $warmup each,"
  echo "$rounds rounds, configurations alternating (rotated each round); access lines to /dev/null"
  echo "chat:   non-streamed POST /v1/chat/completions ($bench_model_id), forwarded to one fake backend"
  echo "models: warm GET /v1/models (one model, decision from the cache, nothing forwarded)"
  echo
  printf '| %-6s | %-11s | %-3s | %-7s | %8s | %6s | %6s | %6s | %7s | %6s | %s |\n' \
    path config log metrics "req/s" "p50 ms" "req/s÷" "p50÷" "paired÷" errors "req/s per round"
  printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "--------" "-------------" "-----" "---------" "----------" \
    "--------" "--------" "--------" "---------" "--------" "---"
  for path in $paths; do
    for config in "${configs[@]}"; do
      key=$path/$config
      printf '| %-6s | %-11s | %-3s | %-7s | %8.0f | %6.3f | %6s | %6s | %7.2f | %6s | %s |\n' "$path" "$config" \
        "$([ "${level[$config]}" = info ] && echo on || echo off)" "${metrics[$config]}" "${rps_median[$key]}" \
        "${p50_median[$key]}" "$(ratio "${rps_median[$key]}" "${rps_median[$path/none]}")" \
        "$(ratio "${p50_median[$key]}" "${p50_median[$path/none]}")" "${paired_median[$key]}" \
        "${errors_total[$key]}" "${rps_runs[$key]% }"
    done
  done
  echo
  echo "÷: ratio of the medians to \"none\" (access log off, metrics off) on the same path;"
  echo "paired÷: median over rounds of req/s ÷ the same round's \"none\" req/s"
  for key in "${!errors_total[@]}"; do
    [ "${errors_total[$key]}" -eq 0 ] || echo "WARNING: $key had ${errors_total[$key]} non-2xx answers or socket errors"
  done
  echo -n "maas_proxy_requests_total series on /metrics after the run:"
  for config in "${configs[@]}"; do echo -n " $config ${series[$config]};"; done
  echo " (none expected with metrics off)"
} | tee bench/results/observability.txt
