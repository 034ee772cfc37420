#!/usr/bin/env bash
# Forwarding throughput: non-streamed POST /v1/chat/completions driven by wrk against one fake
# backend (config/demo/backend-a.yaml, model facebook/opt-125m, token alice-token) four ways:
#   direct   straight to the backend (<backend>/llm/facebook-opt-125m-simulated/v1/chat/completions)
#   proxy    through maas-proxy, routed by the body's `model` (client path /v1/chat/completions)
#   nginx    through nginx proxy_pass (same client path; location /v1/ → <prefix>/v1/), upstream
#            keepalive 64, HTTP/1.1 upstream
#   haproxy  through HAProxy (same client path; http-request set-path <prefix>%[path] for /v1/…),
#            option http-keep-alive, http-reuse always (kept-alive backend connections)
# The proxy, nginx and HAProxy get the same number of workers (--workers = worker_processes =
# nbthread); all four share this machine's cores with wrk, so compare ratios, not absolute numbers.
# Legs alternate (direct → proxy → nginx → haproxy per round) after one warm-up each; the table holds
# the median req/s, p50 and p99 over the rounds and the proxy/nginx and proxy/haproxy ratios, and
# goes to bench/results/forwarding.txt with the proxy's RSS at the end. It also holds each leg's CPU
# time per request (the backend's for direct, the proxy's, nginx's master and workers', HAProxy's
# threads), read from /proc around every run: on a shared, noisy machine that moves far less than
# req/s, so it is the steadier comparison of the proxies' cost.
#
# Usage: bash bench/forwarding.sh
# Env:   DURATION=10s   wrk -d per measured run        ROUNDS=3     alternating rounds
#        WARMUP=2s      wrk -d of each leg's warm-up   WORKERS=2    proxy --workers = nginx
#                                                                   worker_processes = HAProxy nbthread
#        CONNECTIONS=64 wrk -c                         THREADS=2    wrk -t
#        LEGS="direct proxy nginx haproxy"  which legs to run (e.g. LEGS="direct nginx haproxy" skips
#                       the proxy)
#        BIN=DIR        a directory holding release maas-proxy and fake-model-server (skips the build)
#        SCRATCH=.build swift build --scratch-path when building
#        TLS=1          the proxy, nginx and HAProxy terminate TLS (throw-away certificate, keep-alive,
#                       wrk over https); the backend hop stays plain. Results go to
#                       bench/results/forwarding-tls.txt
# Needs nginx, haproxy and wrk (installed with apt-get when missing, without starting the packaged
# services).
set -euo pipefail
# BIN is read relative to where the script was started, before moving to the repository root.
[ -z "${BIN:-}" ] || BIN=$(cd "$BIN" && pwd)
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
duration=${DURATION:-10s}
rounds=${ROUNDS:-3}
warmup=${WARMUP:-2s}
workers=${WORKERS:-2}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
legs=${LEGS:-direct proxy nginx haproxy}
scratch=${SCRATCH:-.build}
prebuilt=${BIN:-}
model_id=$bench_model_id
model_prefix=$bench_model_prefix
token=$bench_token
command_line="DURATION=$duration ROUNDS=$rounds WARMUP=$warmup WORKERS=$workers CONNECTIONS=$connections"
command_line+=" THREADS=$threads LEGS=\"$legs\""
[ -n "$prebuilt" ] && command_line+=" BIN=$prebuilt"
[ "$scratch" = .build ] || command_line+=" SCRATCH=$scratch"
[ "${TLS:-0}" = 1 ] && command_line+=" TLS=1"
command_line+=" bash bench/forwarding.sh"

for leg in $legs; do
  case $leg in direct | proxy | nginx | haproxy) ;; *) echo "forwarding: unknown leg '$leg' in LEGS" >&2; exit 2 ;; esac
done
has_leg() { [[ " $legs " == *" $1 "* ]]; }

need=()
command -v wrk >/dev/null || need+=(wrk)
has_leg nginx && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] && need+=(nginx)
has_leg haproxy && ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ] && need+=(haproxy)
if [ "${#need[@]}" -gt 0 ]; then
  echo "forwarding: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # RUNLEVEL=1: Debian's invoke-rc.d then leaves the packaged nginx and haproxy services stopped.
  $SUDO env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
haproxy_bin=$(command -v haproxy || echo /usr/sbin/haproxy)

products=(fake-model-server)
has_leg proxy && products+=(maas-proxy)
if [ -n "$prebuilt" ]; then
  bin=$prebuilt
else
  build_release "$scratch" "${products[@]}"
fi
for product in "${products[@]}"; do
  [ -x "$bin/$product" ] || { echo "forwarding: no $product in $bin" >&2; exit 1; }
done
make_workspace

# TLS=1: one throw-away certificate for all terminators (HAProxy reads certificate and key from one file).
tls=${TLS:-0}
scheme=http
if [ "$tls" = 1 ]; then
  scheme=https
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" \
    -out "$work/tls.pem" -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
  cat "$work/tls.pem" "$work/tls.key" >"$work/tls-with-key.pem"
fi
proxy_tls_args=()
[ "$tls" = 1 ] && proxy_tls_args=(--tls-cert "$work/tls.pem" --tls-key "$work/tls.key")

tail_logs() { for f in "$@"; do echo "--- tail of $f" >&2; tail -n 30 "$work/$f" >&2 || true; done; }
fail() { echo "forwarding: $1" >&2; shift; tail_logs "$@"; exit 1; }

# The backend.
start_fake_backend "$bin" config/demo/backend-a.yaml "$work/backend.out"
pids+=("$backend_pid")
[ -n "$backend_port" ] || fail "the fake backend did not start" backend.out
backend=http://127.0.0.1:$backend_port
declare -A url=([direct]="$backend$model_prefix/v1/chat/completions")

# The proxy, over a catalog of the one model (bench/lib.sh).
proxy_pid=""
if has_leg proxy; then
  write_bench_catalog "$work/models" "$backend"
  proxy_port=$(free_port)
  admin_port=$(free_port)
  while [ "$admin_port" = "$proxy_port" ]; do admin_port=$(free_port); done
  "$bin/maas-proxy" serve --listen "127.0.0.1:$proxy_port" --admin-listen "127.0.0.1:$admin_port" \
    --models "$work/models" --workers "$workers" --log-level warning "${proxy_tls_args[@]}" >"$work/proxy.log" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
  wait_ready "$admin_port" "$proxy_pid" || fail "maas-proxy did not become ready" proxy.log
  url[proxy]="$scheme://127.0.0.1:$proxy_port/v1/chat/completions"
fi

# nginx, as this user, from its own directory.
if has_leg nginx; then
  mkdir -p "$work/nginx/tmp"
  nginx_port=$(free_port)
  user_line=""
  [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
  cat >"$work/nginx/nginx.conf" <<NGINX
$user_line
daemon off;
worker_processes $workers;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  upstream fake {
    server 127.0.0.1:$backend_port;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$nginx_port $( [ "$tls" = 1 ] && echo ssl );
    $( [ "$tls" = 1 ] && echo "ssl_certificate $work/tls.pem; ssl_certificate_key $work/tls.key; ssl_protocols TLSv1.2 TLSv1.3;" )
    location /v1/ {
      proxy_pass http://fake$model_prefix/v1/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
  "$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" >"$work/nginx.out" 2>&1 &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && break; sleep 0.05; done
  url[nginx]="$scheme://127.0.0.1:$nginx_port/v1/chat/completions"
fi

# HAProxy, one process with WORKERS threads, in the foreground (-db).
if has_leg haproxy; then
  mkdir -p "$work/haproxy"
  haproxy_port=$(free_port)
  cat >"$work/haproxy/haproxy.cfg" <<HAPROXY
global
  nbthread $workers
  maxconn 8192
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 10s
  timeout client 120s
  timeout server 120s
  timeout http-request 120s
  timeout http-keep-alive 120s
frontend fe
  bind 127.0.0.1:$haproxy_port $( [ "$tls" = 1 ] && echo "ssl crt $work/tls-with-key.pem" )
  use_backend fake if { path_beg /v1/ }
backend fake
  # as nginx's location /v1/ → $model_prefix/v1/
  http-request set-path $model_prefix%[path]
  server backend 127.0.0.1:$backend_port
HAPROXY
  "$haproxy_bin" -db -f "$work/haproxy/haproxy.cfg" >"$work/haproxy.out" 2>&1 &
  haproxy_pid=$!
  pids+=("$haproxy_pid")
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$haproxy_port") 2>/dev/null && break; sleep 0.05; done
  url[haproxy]="$scheme://127.0.0.1:$haproxy_port/v1/chat/completions"
fi

body=$bench_body
write_post_lua "$work/post.lua"

# One request through each leg must answer 200 before anything is measured.
declare -A logs=([direct]="backend.out" [proxy]="proxy.log backend.out" [nginx]="nginx.out nginx/error.log backend.out"
  [haproxy]="haproxy.out backend.out")
for leg in $legs; do
  status=$(curl -sk -o "$work/check-$leg.json" -w '%{http_code}' "${url[$leg]}" \
    -H "Authorization: $token" -H 'Content-Type: application/json' -d "$body" || true)
  if [ "$status" != 200 ] || ! grep -q '"object":"chat.completion"' "$work/check-$leg.json"; then
    echo "forwarding: the $leg leg answered '$status' instead of the backend's 200 for POST ${url[$leg]}:" >&2
    cat "$work/check-$leg.json" >&2 || true
    echo >&2
    # shellcheck disable=SC2086
    fail "the $leg leg does not work (run with LEGS=\"direct nginx\" to skip the proxy)" ${logs[$leg]}
  fi
done

leg_pids() { # leg -> the processes whose CPU time that leg costs
  case $1 in
    direct) echo "$backend_pid" ;;
    proxy) echo "$proxy_pid" ;;
    nginx) echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')" ;;
    haproxy) echo "$haproxy_pid" ;;
  esac
}

run_wrk() { # leg duration -> "req/s p50_ms p99_ms errors cpu_us_per_request"
  local out before after requests
  # shellcheck disable=SC2046
  before=$(cpu_ticks $(leg_pids "$1"))
  out=$(wrk -t"$threads" -c"$connections" -d"$2" --latency -s "$work/post.lua" "${url[$1]}")
  # shellcheck disable=SC2046
  after=$(cpu_ticks $(leg_pids "$1"))
  echo "$out" >>"$work/wrk-$1.txt"
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  echo "$(wrk_summary <<<"$out") $(cpu_us_per_request "$before" "$after" "${requests:-0}")"
}

for leg in $legs; do run_wrk "$leg" "$warmup" >/dev/null; done
declare -A rps_runs p50_runs p99_runs cpu_runs errors_total
for leg in $legs; do errors_total[$leg]=0; done
for round in $(seq 1 "$rounds"); do
  for leg in $legs; do
    run_wrk "$leg" "$duration" >"$work/last-run"
    read -r r p50 p99 e cpu <"$work/last-run"
    echo "round $round $leg: $r req/s, p50 $p50 ms, p99 $p99 ms, errors $e, CPU $cpu us/request" >&2
    rps_runs[$leg]+="$r "; p50_runs[$leg]+="$p50 "; p99_runs[$leg]+="$p99 "; cpu_runs[$leg]+="$cpu "
    errors_total[$leg]=$((errors_total[$leg] + e))
  done
done

declare -A rps_median p50_median p99_median cpu_median
for leg in $legs; do
  cpu_median[$leg]=$(tr ' ' '\n' <<<"${cpu_runs[$leg]}" | grep . | median)
  rps_median[$leg]=$(tr ' ' '\n' <<<"${rps_runs[$leg]}" | grep . | median)
  p50_median[$leg]=$(tr ' ' '\n' <<<"${p50_runs[$leg]}" | grep . | median)
  p99_median[$leg]=$(tr ' ' '\n' <<<"${p99_runs[$leg]}" | grep . | median)
done
rss="n/a (proxy leg not run)"
if [ -n "$proxy_pid" ] && [ -r "/proc/$proxy_pid/status" ]; then
  rss=$(awk '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {printf "%.1f MiB (peak %.1f MiB)", r / 1024, h / 1024}' \
    "/proc/$proxy_pid/status")
fi

versions="$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
has_leg haproxy && versions+=", HAProxy $("$haproxy_bin" -v | awk 'NR == 1 {print $3}')"
versions+=", $(wrk -v 2>&1 | awk 'NR == 1 {print "wrk " $2}' || true)" # wrk -v exits 1
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || commit+=" with uncommitted changes"
build="release build of $commit"
[ -n "$prebuilt" ] && build="release binaries from $prebuilt (scripts at $commit)"
ratio_line() { # other -> "proxy/other: req/s …, p50 …, p99 …, CPU per request …" when both legs ran
  if has_leg proxy && has_leg "$1"; then
    echo "proxy/$1: req/s $(ratio "${rps_median[proxy]}" "${rps_median[$1]}"), p50 $(ratio "${p50_median[proxy]}" "${p50_median[$1]}"), p99 $(ratio "${p99_median[proxy]}" "${p99_median[$1]}"), CPU per request $(ratio "${cpu_median[proxy]}" "${cpu_median[$1]}")"
  else
    echo "proxy/$1: n/a (needs both legs)"
  fi
}
mkdir -p bench/results
{
  echo "# bench/forwarding.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), nproc $(nproc), $versions, $build"
  echo "command: $command_line"
  [ "$tls" = 1 ] && echo "TLS: the proxy, nginx and HAProxy terminate TLS 1.3 (P-256 certificate, keep-alive); the direct leg and the backend hop are plain HTTP"
  echo "non-streamed POST /v1/chat/completions ($model_id), wrk -t$threads -c$connections -d$duration --latency,"
  echo "warm-up $warmup per leg, $rounds alternating round(s), proxy --workers $workers = nginx worker_processes $workers = HAProxy nbthread $workers"
  echo
  printf '| %-7s | %10s | %8s | %8s | %10s | %7s | %s |\n' leg "req/s" "p50 ms" "p99 ms" "CPU us/req" errors \
    "req/s per round"
  printf '|%s|%s|%s|%s|%s|%s|%s|\n' "---------" "------------" "----------" "----------" "------------" \
    "---------" "---"
  for leg in direct proxy nginx haproxy; do
    if has_leg "$leg"; then
      printf '| %-7s | %10.0f | %8.3f | %8.3f | %10.1f | %7s | %s |\n' "$leg" "${rps_median[$leg]}" \
        "${p50_median[$leg]}" "${p99_median[$leg]}" "${cpu_median[$leg]}" "${errors_total[$leg]}" "${rps_runs[$leg]% }"
    else
      printf '| %-7s | %10s | %8s | %8s | %10s | %7s | %s |\n' "$leg" skipped - - - - -
    fi
  done
  echo
  for leg in $legs; do
    [ "${errors_total[$leg]}" -eq 0 ] || echo "WARNING: the $leg leg had ${errors_total[$leg]} non-2xx answers or socket errors"
  done
  ratio_line nginx
  ratio_line haproxy
  echo "proxy RSS after the run: $rss"
} | tee "bench/results/forwarding$([ "$tls" = 1 ] && echo -tls).txt"
