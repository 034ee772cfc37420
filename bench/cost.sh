#!/usr/bin/env bash
# Cost per proxied request, counted rather than timed: user-space instructions (valgrind
# --tool=callgrind) and system calls (strace -c) per non-streamed POST chat completion, for
# maas-proxy and the proxies it is compared with, all in one run over the same backend:
#   maas-path     maas-proxy, path routing  (<prefix>/v1/chat/completions)
#   maas-body     maas-proxy, body routing  (/v1/chat/completions, the body's "model" picks the model)
#   maas-path-nousage, maas-body-nousage  the same with token usage accounting off (`usage: {enabled:
#                 false}` in the proxy's configuration; SPEC 7): opt-in through LEGS, they measure what
#                 reading the answer's `usage` costs (the backend's answer carries one)
#   nginx-path    nginx proxy_pass, upstream keepalive                        (<prefix>/v1/…)
#   nginx-body    nginx + njs: js_content parses the body, sets the prefix, internalRedirect to
#                 a proxy_pass location (the body already read is what goes upstream)
#   haproxy-path  HAProxy, path_beg                                           (<prefix>/v1/…)
#   haproxy-body  HAProxy, req.body,json_query('$.model') with http-buffer-request
# Two bodies: a small chat completion (bench/lib.sh's), and a ~100 KB prompt whose "model" key comes
# last, as the OpenAI SDK writes it (a body router has to read all of it).
#
# Why counting: on this shared 2-core machine throughput swings by a third between runs; instruction
# and system call counts barely move. How:
# - Instructions: callgrind totals include start-up and shutdown, and callgrind_control cannot reach
#   a process blocked in epoll_wait, so every (leg, body) runs two sessions under callgrind that differ
#   only in how long wrk drives them (DURATION and FACTOR×DURATION seconds), and the cost per request
#   is the difference of the totals over the difference of the requests served. Requests are counted
#   exactly in the backend's access log (wrk's own count misses the ones in flight when it stops).
#   valgrind 3.19 cannot read Swift 6.3's DWARF, so maas-proxy runs from a `strip --strip-debug` copy.
# - System calls: the leg runs natively, warmed up, and `strace -c -f -p PID` counts every call of
#   all its threads over one wrk run of STRACE_DURATION seconds; divided by the requests the backend
#   saw meanwhile. strace slows the proxy, so this is the count at saturation (epoll_wait batching).
# - Idle: maas-proxy with no traffic, the same two-session way (instructions per second), and strace
#   over IDLE seconds (system calls per second). The idle rate also bounds what the longer session's
#   extra seconds add to the per-request figures.
# Every proxy gets one worker/process/thread and the backend (nginx, its own instance, 1 worker)
# answers POST …/v1/chat/completions with a fixed small chat completion and GET …/v1/models with the
# model list maas-proxy's admission probe reads. maas-proxy runs with admission on, a warm decision
# cache (WARMUP requests before anything is counted; cache.ttl 10m so nothing expires mid-run), no
# access log (--log-level warning), metrics on (the default). nginx keeps request bodies in memory
# (client_body_buffer_size 256k, as maas-proxy does; the njs leg needs it); HAProxy's body leg has
# tune.bufsize 256k for the ~100 KB body (json_query only sees what fits in the buffer), the
# default 16k otherwise.
#
# Usage: bash bench/cost.sh   (about 8 minutes with the defaults on the shared 2-core machine)
#        LEGS="maas-path maas-path-nousage maas-body maas-body-nousage" SIZES=small IDLE=0 bash bench/cost.sh
#        (the cost of token usage accounting per request, path and body routed)
# Env:   DURATION=3         seconds wrk drives the short callgrind session (the long one: FACTOR×)
#        FACTOR=3           length of the long session relative to the short one
#        STRACE_DURATION=3  seconds of the wrk run counted by strace
#        IDLE=3             seconds of the short idle session (the long one: FACTOR×); IDLE=0 skips it
#        CONNECTIONS=8      wrk -c (one thread)       WARMUP=5   requests before anything is counted
#        LEGS="maas-path maas-body nginx-path nginx-body haproxy-path haproxy-body"
#        SIZES="small large"
#        BIN=DIR            a directory holding a release maas-proxy (skips the build)
#        NGINX_BODY_BUFFER=256k  client_body_buffer_size of the nginx-path leg; nginx's default on
#                           x86-64, 8k, writes the ~100 KB body to a temporary file (8k measured 42 600
#                           instructions and 62 system calls per request, against 25 600 and 8 in memory).
#                           The njs leg keeps 256k: r.requestText is empty for a body in a file.
#        SCRATCH=.build     swift build --scratch-path when building
#        MAAS_EXTRA=yaml    YAML text appended to the maas-proxy.yaml every maas leg reads (the -nousage legs
#                           add `usage:` to it, so it must not have a `usage:` section of its own then)
#        OUT=bench/results/cost.txt  where the results go
#        KEEP=dir           copy the raw material there: every session's callgrind file (cg-LEG-SIZE-SECONDS.callgrind,
#                           for callgrind_annotate; compare a leg's two sessions to see where a request's
#                           instructions go), strace counts, wrk output, the maas legs' /metrics
# Needs nginx, libnginx-mod-http-js, haproxy, wrk, valgrind, strace (installed with apt-get when
# missing, without starting the packaged services). Results go to OUT (bench/results/cost.txt).
set -euo pipefail
# BIN is read relative to where the script was started, before moving to the repository root.
[ -z "${BIN:-}" ] || BIN=$(cd "$BIN" && pwd)
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
duration=${DURATION:-3}
factor=${FACTOR:-3}
strace_duration=${STRACE_DURATION:-3}
idle=${IDLE:-3}
connections=${CONNECTIONS:-8}
warmup=${WARMUP:-5}
legs=${LEGS:-maas-path maas-body nginx-path nginx-body haproxy-path haproxy-body}
sizes=${SIZES:-small large}
scratch=${SCRATCH:-.build}
prebuilt=${BIN:-}
nginx_body_buffer=${NGINX_BODY_BUFFER:-256k}
maas_extra=${MAAS_EXTRA:-}
out=${OUT:-bench/results/cost.txt}
keep=${KEEP:-}
command_line="DURATION=$duration FACTOR=$factor STRACE_DURATION=$strace_duration IDLE=$idle"
command_line+=" CONNECTIONS=$connections WARMUP=$warmup LEGS=\"$legs\" SIZES=\"$sizes\""
[ -n "$prebuilt" ] && command_line+=" BIN=$prebuilt"
[ "$nginx_body_buffer" = 256k ] || command_line+=" NGINX_BODY_BUFFER=$nginx_body_buffer"
[ "$scratch" = .build ] || command_line+=" SCRATCH=$scratch"
[ -z "$maas_extra" ] || command_line+=" MAAS_EXTRA=$(printf '%q' "$maas_extra")"
[ "$out" = bench/results/cost.txt ] || command_line+=" OUT=$out"
command_line+=" bash bench/cost.sh"

all_legs="maas-path maas-path-nousage maas-body maas-body-nousage nginx-path nginx-body haproxy-path haproxy-body"
for leg in $legs; do
  [[ " $all_legs " == *" $leg "* ]] || { echo "cost: unknown leg '$leg' in LEGS ($all_legs)" >&2; exit 2; }
done
for size in $sizes; do
  case $size in small | large) ;; *) echo "cost: unknown size '$size' in SIZES (small large)" >&2; exit 2 ;; esac
done
has_leg() { [[ " $legs " == *" $1 "* ]]; }
has_maas() { [[ " $legs " == *" maas-"* ]] || [ "$idle" != 0 ]; }
if [[ " $legs " == *"-nousage "* ]] && grep -q '^usage:' <<<"$maas_extra"; then
  echo "cost: MAAS_EXTRA has a usage: section; the -nousage legs add their own (usage: enabled: false)" >&2
  exit 2
fi
for n in "$duration" "$factor" "$strace_duration" "$idle" "$connections" "$warmup"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "cost: DURATION, FACTOR, STRACE_DURATION, IDLE, CONNECTIONS, WARMUP are whole numbers" >&2; exit 2; }
done
[ "$factor" -ge 2 ] || { echo "cost: FACTOR must be at least 2" >&2; exit 2; }

# Tools. RUNLEVEL=1: Debian's invoke-rc.d then leaves the packaged nginx and haproxy services stopped.
# The lock timeout waits out another apt-get or dpkg still holding the lock.
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
# njs: the nginx-body leg routes with it, and the backend reads each body whole with it.
[ -e /usr/lib/nginx/modules/ngx_http_js_module.so ] || need+=(libnginx-mod-http-js)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
for tool in wrk valgrind strace; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ "${#need[@]}" -gt 0 ]; then
  echo "cost: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    "${need[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
haproxy_bin=$(command -v haproxy || echo /usr/sbin/haproxy)

if has_maas; then
  if [ -n "$prebuilt" ]; then
    bin=$prebuilt
  else
    build_release "$scratch" maas-proxy
  fi
  [ -x "$bin/maas-proxy" ] || { echo "cost: no maas-proxy in $bin" >&2; exit 1; }
fi
make_workspace
fail() { echo "cost: $1" >&2; shift; for f in "$@"; do echo "--- tail of $f" >&2; tail -n 30 "$work/$f" >&2 || true; done; exit 1; }
log() { echo "cost: [${SECONDS}s] $*" >&2; }

forget_pid() { # pid -> drops it from pids (reaped: its number may be reused by then)
  local kept=() p
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  pids=("${kept[@]}")
}

stop_pid() { # pid [signal] -> signals it, waits for it to exit, forgets it
  kill "-${2:-TERM}" "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget_pid "$1"
}

# The functions below set globals instead of printing: a $(…) or <(…) subshell would lose what they
# add to pids and used_ports, and a fail inside one would not stop the script.
used_ports=" "
fresh_port() { # var -> sets var to a port no socket uses, below the ephemeral range, new in this run
  # Not free_port (bench/lib.sh): it may pick a port in the kernel's ephemeral range, which an
  # outgoing connection (wrk's, a proxy's upstream, anything else on this machine) can take as its
  # local port before the listener binds it (seen: "cannot listen on …: Address already in use").
  local low p
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 11000 ] || { p=$(free_port); printf -v "$1" '%s' "$p"; return; }
  while :; do
    p=$((10000 + RANDOM % (low - 10000)))
    [[ "$used_ports" == *" $p "* ]] && continue
    [ -z "$(ss -Htan "( sport = :$p )")" ] && break
  done
  used_ports+="$p "
  printf -v "$1" '%s' "$p"
}

sole_listener() { # port pid -> 0 if every socket listening on 127.0.0.1:port belongs to pid
  # With SO_REUSEPORT a stale instance on the same port silently takes part of the connections.
  local lines
  lines=$(ss -Hltnp "( sport = :$1 )")
  [ -n "$lines" ] && ! grep -qv "pid=$2," <<<"$lines"
}

wait_up() { # url pid [curl -f] -> 0 once url answers (with -f: a 2xx), 1 if pid died or 60 s passed
  # (a Swift process under valgrind takes a few seconds to start)
  for _ in $(seq 1 600); do
    curl -s "${@:3}" -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# The bodies, one file each, and a wrk script per body.
printf '%s' "$bench_body" >"$work/body-small.json"
large_body() { # -> a ~100 KB chat completion whose "model" comes last, as the OpenAI SDK writes it
  local sentence='Summarise this log excerpt: request 42 took 1.2 s, \"slow\" upstream, retried twice.\n'
  local text=""
  while [ "${#text}" -lt 102000 ]; do text+=$sentence; done
  printf '{"messages":[{"role":"system","content":"You are a helpful assistant."},'
  printf '{"role":"user","content":"%s"}],"model":"%s"}' "$text" "$bench_model_id"
}
large_body >"$work/body-large.json"
declare -A body_bytes
for size in small large; do
  body_bytes[$size]=$(wc -c <"$work/body-$size.json")
  cat >"$work/post-$size.lua" <<LUA
wrk.method = "POST"
local f = assert(io.open("$work/body-$size.json", "rb"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "$bench_token"
LUA
done

# The backend: nginx, one process, logging one line per request so requests are counted exactly.
root_user=""
[ "$(id -u)" -eq 0 ] && root_user="user $(id -un) $(id -gn);"
nginx_common() { # dir -> the lines every nginx instance here shares (main context)
  cat <<NGINX
$root_user
daemon off;
master_process off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
NGINX
}
nginx_temp_paths() { # dir -> the temp paths, inside the instance's directory
  echo "client_body_temp_path $1/tmp/body; proxy_temp_path $1/tmp/proxy; fastcgi_temp_path $1/tmp/fastcgi;"
  echo "uwsgi_temp_path $1/tmp/uwsgi; scgi_temp_path $1/tmp/scgi;"
}
chat_answer='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"facebook/opt-125m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}'
models_answer="{\"object\":\"list\",\"data\":[{\"id\":\"$bench_model_id\",\"object\":\"model\"}]}"
backend_dir=$work/backend
mkdir -p "$backend_dir/tmp"
fresh_port backend_port
# The backend reads a chat completion's body whole before it answers, as an inference server does
# (vLLM parses the request first): nginx's `return` alone answers at the head, while a streaming
# proxy is still sending the body, which makes that proxy close both connections of the call
# (measured: 100 KB path-routed calls at 12 system calls a request instead of 7, a new client and
# upstream connection for most requests). The njs handler is the backend's cost, never a proxy's.
cat >"$backend_dir/answer.js" <<JS
// js_content runs once nginx has read the request body whole (into memory: client_body_buffer_size).
function answer(r) {
  r.headersOut['Content-Type'] = 'application/json';
  r.return(200, '$chat_answer');
}
export default { answer };
JS
{
  echo "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;"
  nginx_common "$backend_dir"
  cat <<NGINX
http {
  log_format bench '\$request_method \$uri \$status \$content_length';
  access_log $backend_dir/access.log bench;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_max_body_size 16m;
  client_body_buffer_size 256k;
  default_type application/json;
  js_import answer from $backend_dir/answer.js;
  $(nginx_temp_paths "$backend_dir")
  server {
    listen 127.0.0.1:$backend_port;
    location ~ /v1/chat/completions\$ { js_content answer.answer; }
    location ~ /v1/models\$ { return 200 '$models_answer'; }
  }
}
NGINX
} >"$backend_dir/nginx.conf"
"$nginx_bin" -p "$backend_dir" -c "$backend_dir/nginx.conf" -e "$backend_dir/error.log" >"$work/backend.out" 2>&1 &
backend_pid=$!
pids+=("$backend_pid")
wait_up "http://127.0.0.1:$backend_port/" "$backend_pid" || fail "the backend nginx did not start" backend.out backend/error.log
sole_listener "$backend_port" "$backend_pid" || fail "something else listens on the backend's port $backend_port"
backend_url=http://127.0.0.1:$backend_port
served() { grep -c '^POST ' "$backend_dir/access.log" || true; } # chat completions the backend answered

# maas-proxy: the one-model catalog of bench/lib.sh on this backend.
write_bench_catalog "$work/models" "$backend_url"
cat >"$work/maas-proxy.yaml" <<YAML
models:
  paths: [$work/models]
cache:
  ttl: 10m
shutdownGrace: 1s
YAML
[ -z "$maas_extra" ] || printf '%s\n' "$maas_extra" >>"$work/maas-proxy.yaml"
# The -nousage legs: the same, with token usage accounting off (SPEC 7).
{ cat "$work/maas-proxy.yaml"; printf 'usage:\n  enabled: false\n'; } >"$work/maas-proxy-nousage.yaml"
declare -A usage_enabled=([base]=- [nousage]=-)
if has_maas; then
  # Whether each file leaves usage accounting on, as the proxy reads it (MAAS_EXTRA may turn it off too).
  configs=(base)
  [[ " $legs " == *"-nousage "* ]] && configs+=(nousage) # else MAAS_EXTRA may have a usage: section
  for config in "${configs[@]}"; do
    file=$work/maas-proxy.yaml
    [ "$config" = nousage ] && file=$work/maas-proxy-nousage.yaml
    "$bin/maas-proxy" check-config --config "$file" >"$work/check-config-$config.txt" 2>&1 ||
      fail "maas-proxy check-config refuses $(basename "$file") (MAAS_EXTRA?)" "check-config-$config.txt"
    usage_enabled[$config]=$(awk '/^usage:/ {u = 1; next} /^[^ ]/ {u = 0} u && $1 == "enabled:" {print ($2 == "true" ? "on" : "off")}' \
      "$work/check-config-$config.txt")
  done
  # valgrind 3.19 gives up on Swift 6.3's DWARF; the code is the same without it.
  strip --strip-debug -o "$work/maas-proxy.stripped" "$bin/maas-proxy"
fi

# Each leg's configuration, written for a port (and the directory of its instance).
write_nginx() { # dir port body(0|1)
  local dir=$1 port=$2 body=$3
  mkdir -p "$dir/tmp"
  {
    [ "$body" = 1 ] && echo "load_module /usr/lib/nginx/modules/ngx_http_js_module.so;"
    nginx_common "$dir"
    cat <<NGINX
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_buffer_size $([ "$body" = 1 ] && echo 256k || echo "$nginx_body_buffer");
  client_body_in_single_buffer on;
  client_max_body_size 16m;
  $(nginx_temp_paths "$dir")
  upstream backend {
    server 127.0.0.1:$backend_port;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$port;
    location $bench_model_prefix/ {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
NGINX
    if [ "$body" = 1 ]; then
      cat <<NGINX
    location /v1/ { js_content route.route; }
    location @upstream {
      proxy_pass http://backend\$model_prefix\$request_uri;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
NGINX
    fi
    echo "  }"
    if [ "$body" = 1 ]; then
      echo "  js_import route from $dir/route.js;"
      echo "  js_var \$model_prefix;"
    fi
    echo "}"
  } >"$dir/nginx.conf"
  [ "$body" = 1 ] && cat >"$dir/route.js" <<JS
// The body's "model" picks the path prefix; the body nginx has read goes upstream as it is.
const prefixes = { '$bench_model_id': '$bench_model_prefix' };
function route(r) {
  let model;
  try { model = JSON.parse(r.requestText).model; } catch (e) { r.return(400, '{"error":"invalid_json"}\n'); return; }
  const prefix = prefixes[model];
  if (prefix === undefined) { r.return(404, '{"error":"model_not_found"}\n'); return; }
  r.variables.model_prefix = prefix;
  r.internalRedirect('@upstream');
}
export default { route };
JS
  return 0
}

write_haproxy() { # dir port body(0|1) size
  local dir=$1 port=$2 body=$3 size=$4
  mkdir -p "$dir"
  {
    cat <<HAPROXY
global
  nbthread 1
  maxconn 4096
HAPROXY
    # json_query reads only what is in the buffer: for the ~100 KB body it has to hold all of it.
    # Only then: with 256 KiB buffers HAProxy's per-thread pool cache (1 MiB in 2.6) keeps too few,
    # and the small body then costs two more brk calls per request (malloc trimming).
    [ "$body" = 1 ] && [ "$size" = large ] && echo "  tune.bufsize 262144"
    cat <<HAPROXY
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$port
HAPROXY
    if [ "$body" = 1 ]; then
      cat <<HAPROXY
  option http-buffer-request
  http-request set-var(txn.model) req.body,json_query('\$.model')
  http-request return status 404 content-type application/json string '{"error":"model_not_found"}' unless { var(txn.model) -m str $bench_model_id }
  use_backend model
backend model
  http-request set-path $bench_model_prefix%[path]
  server backend 127.0.0.1:$backend_port
HAPROXY
    else
      cat <<HAPROXY
  http-request return status 404 content-type application/json string '{"error":"route_not_found"}' unless { path_beg $bench_model_prefix/ }
  use_backend model
backend model
  server backend 127.0.0.1:$backend_port
HAPROXY
    fi
  } >"$dir/haproxy.cfg"
}

leg_path() { # leg -> the request path it is driven with
  case $1 in *-path | *-path-nousage) echo "$bench_model_prefix/v1/chat/completions" ;; *) echo /v1/chat/completions ;; esac
}
leg_usage() { # leg -> on/off: its maas-proxy's usage.enabled as check-config reads its file; - for the others
  case $1 in *-nousage) echo "${usage_enabled[nousage]}" ;; maas-*) echo "${usage_enabled[base]}" ;; *) echo - ;; esac
}

start_leg() { # leg size tag callgrind_out|"" -> starts one instance; sets leg_pid and leg_url (maas: leg_admin)
  local leg=$1 size=$2 tag=$3 cg=$4 dir=$work/$3 port admin
  local runner=()
  [ -n "$cg" ] && runner=(valgrind --tool=callgrind --callgrind-out-file="$cg")
  fresh_port port
  mkdir -p "$dir"
  case $leg in
    maas-*)
      fresh_port admin
      leg_admin=$admin
      local exe=$bin/maas-proxy config=$work/maas-proxy.yaml
      [ -n "$cg" ] && exe=$work/maas-proxy.stripped
      [[ $leg == *-nousage ]] && config=$work/maas-proxy-nousage.yaml
      "${runner[@]}" "$exe" serve --config "$config" --listen "127.0.0.1:$port" \
        --admin-listen "127.0.0.1:$admin" --workers 1 --log-level warning >"$dir/out" 2>&1 &
      leg_pid=$!
      pids+=("$leg_pid")
      wait_up "http://127.0.0.1:$admin/readyz" "$leg_pid" -f || fail "$leg did not become ready" "$tag/out"
      ;;
    nginx-*)
      write_nginx "$dir" "$port" "$([ "$leg" = nginx-body ] && echo 1 || echo 0)"
      "${runner[@]}" "$nginx_bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/out" 2>&1 &
      leg_pid=$!
      pids+=("$leg_pid")
      wait_up "http://127.0.0.1:$port/" "$leg_pid" || fail "$leg did not start" "$tag/out" "$tag/error.log"
      ;;
    haproxy-*)
      write_haproxy "$dir" "$port" "$([ "$leg" = haproxy-body ] && echo 1 || echo 0)" "$size"
      "${runner[@]}" "$haproxy_bin" -db -f "$dir/haproxy.cfg" >"$dir/out" 2>&1 &
      leg_pid=$!
      pids+=("$leg_pid")
      wait_up "http://127.0.0.1:$port/" "$leg_pid" || fail "$leg did not start" "$tag/out"
      ;;
  esac
  sole_listener "$port" "$leg_pid" || fail "port $port of $leg is shared with another process" "$tag/out"
  leg_url=http://127.0.0.1:$port$(leg_path "$leg")
}

warm_up() { # leg size tag -> WARMUP requests, each must be the backend's chat completion
  local i status
  for i in $(seq 1 "$warmup"); do
    status=$(curl -s -o "$work/$3/answer.json" -w '%{http_code}' -X POST "$leg_url" -H 'Expect:' \
      -H "Authorization: $bench_token" -H 'Content-Type: application/json' --data-binary "@$work/body-$2.json" || true)
    if [ "$status" != 200 ] || ! grep -q '"object":"chat.completion"' "$work/$3/answer.json"; then
      echo "cost: $1 answered '$status' to the $2 body (request $i of the warm-up):" >&2
      cat "$work/$3/answer.json" >&2 || true
      echo >&2
      fail "$1 does not forward" "$3/out" backend/access.log
    fi
  done
  # The backend must have been told the whole body (it reads and discards it: a short one would hang).
  local length
  length=$(awk '/^POST / {n = $4} END {print n + 0}' "$backend_dir/access.log")
  [ "$length" -eq "${body_bytes[$2]}" ] ||
    fail "$1 sent Content-Length $length upstream for a ${body_bytes[$2]}-byte body" "$3/out"
}

drive() { # leg size seconds tag -> one wrk run; its output kept; fails on non-2xx answers
  local out
  # --timeout: under callgrind the ~100 KB body through njs answers ~10 per second, and wrk's 2 s
  # default would count the requests queued behind the first ones as socket errors.
  out=$(wrk -t1 -c"$connections" -d"$3s" --timeout 30s -s "$work/post-$2.lua" "$leg_url")
  echo "$out" >>"$work/$4/wrk.txt"
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "$out" >&2
    fail "$1 answered non-2xx to the $2 body under wrk" "$4/out"
  fi
  if grep -q 'Socket errors' <<<"$out"; then warnings+=("$1 $2 ($4): wrk $(grep 'Socket errors' <<<"$out")"); fi
  return 0
}

callgrind_total() { # out_file -> total instructions (Ir)
  awk '/^summary:/ {s = $2} /^totals:/ {t = $2} END {print (s != "" ? s : t)}' "$1"
}

callgrind_session() { # leg size seconds -> sets cg_instr and cg_requests of one session under callgrind
  local tag=cg-$1-$2-$3 before after
  local cg=$work/$tag.callgrind
  before=$(served)
  start_leg "$1" "$2" "$tag" "$cg"
  warm_up "$1" "$2" "$tag"
  drive "$1" "$2" "$3" "$tag"
  stop_pid "$leg_pid"
  after=$(served)
  [ -s "$cg" ] || fail "callgrind wrote nothing for $tag" "$tag/out"
  cg_instr=$(callgrind_total "$cg")
  cg_requests=$((after - before))
}

strace_run() { # leg size seconds tag -> sets st_calls and st_requests of one wrk run (0 s: of IDLE s
  # without traffic) counted by strace on $leg_pid
  local tag=$4 before after
  strace -c -f -p "$leg_pid" -o "$work/$tag/strace-$2.txt" 2>"$work/$tag/strace-$2.err" &
  local strace_pid=$!
  pids+=("$strace_pid")
  for _ in $(seq 1 100); do grep -q attached "$work/$tag/strace-$2.err" 2>/dev/null && break; sleep 0.05; done
  grep -q attached "$work/$tag/strace-$2.err" || fail "strace did not attach to $1" "$tag/strace-$2.err"
  before=$(served)
  if [ "$3" -gt 0 ]; then drive "$1" "$2" "$3" "$tag"; else sleep "$idle"; fi
  sleep 0.3 # the requests wrk left in flight finish (and are counted in the backend's log)
  stop_pid "$strace_pid" INT
  after=$(served)
  st_calls=$(awk '$NF == "total" {print $4}' "$work/$tag/strace-$2.txt")
  [ -n "$st_calls" ] || fail "strace counted nothing on $1" "$tag/strace-$2.txt" "$tag/strace-$2.err"
  st_requests=$((after - before))
}

syscall_mix() { # strace_file divisor [minimum] -> "name calls/divisor, …", most first, those at least minimum
  # strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall.
  awk -v n="$2" -v min="${3:-0}" 'NR > 2 && $NF != "total" && $1 !~ /^-/ && $4 / n >= min {
    printf "%.1f %s\n", $4 / n, $NF }' "$1" | sort -rn | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1}'
}

per() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "nan"}'; }
group() { # number -> rounded, digits grouped by three with spaces (230 000)
  awk -v v="$1" 'BEGIN {
    if (v == "nan" || v == "") {print "n/a"; exit}
    s = sprintf("%.0f", v); out = ""
    while (length(s) > 3) {out = " " substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3)}
    print s out }'
}

usage_check() { # leg size requests -> sets usage_seen: what the running maas leg's /metrics counted (SPEC 7)
  # The backend's answer reports completion_tokens 9: with usage on, 9 output tokens per answer this
  # instance relayed (its maas_proxy_requests_total{status="200"}); off, none; and no answer counted as
  # missing usage either way. The backend's count of the requests it got may be a few higher: wrk cuts
  # the requests in flight when it stops, and the proxy drops those before their answer comes.
  local output missing answered want
  curl -sf "http://127.0.0.1:$leg_admin/metrics" >"$work/metrics-$1-$2.txt" || fail "$1: its admin /metrics did not answer"
  read -r output missing answered < <(awk '/^maas_proxy_tokens_total[{].*type="output"/ {o += $NF}
    /^maas_proxy_usage_missing_total/ {m += $NF} /^maas_proxy_requests_total[{].*status="200"/ {a += $NF}
    END {printf "%d %d %d\n", o, m, a}' "$work/metrics-$1-$2.txt")
  want=0
  [ "$(leg_usage "$1")" = on ] && want=$((9 * answered))
  usage_seen="usage $(leg_usage "$1"): maas_proxy_tokens_total{type=\"output\"} $output over $answered answers relayed"
  usage_seen+=" ($3 requests reached the backend; expected $want), usage_missing_total $missing (expected 0)"
  if [ "$output" != "$want" ] || [ "$missing" != 0 ] || [ "$answered" -gt "$3" ] || [ "$answered" -eq 0 ]; then
    warnings+=("$1 $2: the token counts are not as expected: $usage_seen")
    usage_seen+=": WRONG"
  fi
  return 0
}

declare -A instr calls raw mix delta usage_seen_of
warnings=()
long=$((duration * factor))
for leg in $all_legs; do
  has_leg "$leg" || continue
  for size in $sizes; do
    log "$leg, $size body: callgrind sessions of ${duration}s and ${long}s"
    callgrind_session "$leg" "$size" "$duration"
    i1=$cg_instr n1=$cg_requests
    callgrind_session "$leg" "$size" "$long"
    i2=$cg_instr n2=$cg_requests
    [ "$n2" -gt "$n1" ] || fail "$leg $size: the long session served $n2 requests, the short one $n1"
    instr[$leg-$size]=$(per "$((i2 - i1))" "$((n2 - n1))")
    if [[ $leg == maas-* ]]; then delta[$leg-$size]=$((i2 - i1)); fi
    raw[$leg-$size]="callgrind $i1 Ir / $n1 requests, $i2 Ir / $n2 requests"
    # System calls: the native process, warmed up, and one wrk run first so the upstream keep-alive
    # connections and caches are in their steady state.
    log "$leg, $size body: strace over ${strace_duration}s"
    tag=strace-$leg-$size
    first=$(served)
    start_leg "$leg" "$size" "$tag" ""
    warm_up "$leg" "$size" "$tag"
    drive "$leg" "$size" 1 "$tag"
    strace_run "$leg" "$size" "$strace_duration" "$tag"
    if [[ $leg == maas-* ]]; then
      usage_check "$leg" "$size" "$(($(served) - first))"
      usage_seen_of[$leg-$size]=$usage_seen
    fi
    stop_pid "$leg_pid"
    calls[$leg-$size]=$(per "$st_calls" "$st_requests")
    mix[$leg-$size]=$(syscall_mix "$work/$tag/strace-$size.txt" "$st_requests" 0.5)
    raw[$leg-$size]+="; strace $st_calls calls / $st_requests requests"
  done
done

# Idle: maas-proxy warmed up (decision cached, upstream connection open), then no traffic at all.
idle_instr="" idle_calls="" idle_raw=""
if [ "$idle" != 0 ]; then
  idle_session() { # seconds -> sets cg_instr and idle_seconds of one warmed-up session with no traffic
    local tag=cg-idle-$1 t0 t1
    start_leg maas-path small "$tag" "$work/$tag.callgrind"
    warm_up maas-path small "$tag"
    t0=$(date +%s.%N)
    sleep "$1"
    t1=$(date +%s.%N)
    stop_pid "$leg_pid"
    cg_instr=$(callgrind_total "$work/$tag.callgrind")
    idle_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  }
  log "idle maas-proxy: callgrind sessions of ${idle}s and $((idle * factor))s, strace over ${idle}s"
  idle_session "$idle"
  i1=$cg_instr t1=$idle_seconds
  idle_session "$((idle * factor))"
  i2=$cg_instr t2=$idle_seconds
  idle_instr=$(awk -v a="$((i2 - i1))" -v t="$t1" -v u="$t2" 'BEGIN {printf "%.0f", a / (u - t)}')
  start_leg maas-path small strace-idle ""
  warm_up maas-path small strace-idle
  strace_run maas-path idle 0 strace-idle
  stop_pid "$leg_pid"
  c=$st_calls
  idle_calls=$(per "$c" "$idle")
  idle_mix=$(syscall_mix "$work/strace-idle/strace-idle.txt" "$idle")
  idle_raw="callgrind $i1 Ir / ${t1}s, $i2 Ir / ${t2}s; strace $c calls / ${idle}s ($idle_mix)"
fi

declare -A proxy_name=([maas-path]=maas-proxy [maas-body]=maas-proxy [maas-path-nousage]="maas-proxy, no usage"
  [maas-body-nousage]="maas-proxy, no usage" [nginx-path]="nginx proxy_pass"
  [nginx-body]="nginx + njs" [haproxy-path]=HAProxy [haproxy-body]="HAProxy json_query")
declare -A routing=([maas-path]=path [maas-body]=body [maas-path-nousage]=path [maas-body-nousage]=body
  [nginx-path]=path [nginx-body]=body [haproxy-path]=path [haproxy-body]=body)
declare -A size_note=([small]="small chat completion (${body_bytes[small]} bytes)"
  [large]="~100 KB prompt, \"model\" last (${body_bytes[large]} bytes)")
usage_line() { # size routing -> what token usage accounting adds per request, when both legs ran
  local on=maas-$2-$1 off=maas-$2-nousage-$1
  if [ -n "${instr[$on]:-}" ] && [ -n "${instr[$off]:-}" ]; then
    echo "usage accounting on - off ($2): $(awk -v a="${instr[$on]}" -v b="${instr[$off]}" 'BEGIN {printf "%+.0f", a - b}')" \
      "instructions/request ($(group "${instr[$on]}") - $(group "${instr[$off]}")), system calls" \
      "$(awk -v a="${calls[$on]}" -v b="${calls[$off]}" 'BEGIN {printf "%+.2f", a - b}')/request"
  fi
}
ratio_line() { # size a b label -> "label: instructions x, system calls y" when both legs ran
  if [ -n "${instr[$2-$1]:-}" ] && [ -n "${instr[$3-$1]:-}" ]; then
    echo "$4: instructions $(ratio "${instr[$2-$1]}" "${instr[$3-$1]}")×, system calls $(ratio "${calls[$2-$1]}" "${calls[$3-$1]}")×"
  fi
}
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || commit+=" (with uncommitted changes)"
if [ -n "$prebuilt" ]; then
  commit="binary from $prebuilt (scripts at $commit)"
  # The note bench/streams.sh leaves (or reads) beside binaries it did not build: what they were built from.
  [ -r "$prebuilt/streams-build.txt" ] && commit+="; the binary: $(head -1 "$prebuilt/streams-build.txt")"
fi
mkdir -p "$(dirname "$out")"
{
  echo "# bench/cost.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
  echo "machine: Debian $(cat /etc/debian_version 2>/dev/null || echo ?), $(nproc) shared cores, kernel $(uname -r);" \
    "$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'), njs $(dpkg-query -W -f '${Version}' libnginx-mod-http-js 2>/dev/null || echo ?)," \
    "HAProxy $("$haproxy_bin" -v | awk 'NR == 1 {print $3}'), $(valgrind --version), strace $(strace -V | awk 'NR == 1 {print $4}'), wrk $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')"
  echo "command: $command_line"
  echo "one worker/process each; backend nginx (1 process) on the same machine; wrk -t1 -c$connections;"
  echo "instructions: callgrind, two sessions of ${duration}s and ${long}s of wrk, (difference of totals) / (difference"
  echo "of requests the backend served); system calls: strace -c -f over ${strace_duration}s of wrk on the native process,"
  echo "all threads, / requests served (strace slows the proxy: counts at saturation). maas-proxy: admission on,"
  echo "decision cached, --log-level warning, metrics on; token usage accounting (usage.enabled, on by default) as the"
  echo "table's usage column says (the -nousage legs add usage: {enabled: false}); the backend's answer reports usage"
  echo "(completion_tokens 9)."
  [ -z "$maas_extra" ] || echo "maas-proxy.yaml + MAAS_EXTRA: $(tr '\n' ' ' <<<"$maas_extra")"
  echo "nginx: client_body_buffer_size $nginx_body_buffer (path),"
  echo "256k (njs); HAProxy: tune.bufsize 256k for json_query on the ~100 KB body, else the default 16k."
  for size in $sizes; do
    echo
    echo "${size_note[$size]}:"
    echo
    printf '| %-20s | %-7s | %-5s | %20s | %21s |\n' proxy routing usage "instructions/request" "system calls/request"
    printf '|%s|%s|%s|%s|%s|\n' "----------------------" "---------" "-------" "----------------------" "-----------------------"
    for leg in $all_legs; do
      has_leg "$leg" || continue
      printf '| %-20s | %-7s | %-5s | %20s | %21s |\n' "${proxy_name[$leg]}" "${routing[$leg]}" "$(leg_usage "$leg")" \
        "$(group "${instr[$leg-$size]}")" "$(awk -v v="${calls[$leg-$size]}" 'BEGIN {printf "%.1f", v}')"
    done
    echo
    usage_line "$size" path
    usage_line "$size" body
    ratio_line "$size" maas-path nginx-path "maas-proxy (path) / nginx proxy_pass (path)"
    ratio_line "$size" maas-body haproxy-body "maas-proxy (body) / HAProxy json_query (body)"
    ratio_line "$size" maas-body nginx-body "maas-proxy (body) / nginx + njs (body)"
  done
  if [ -n "$idle_instr" ]; then
    echo
    echo "maas-proxy idle (warmed up, no traffic): $(group "$idle_instr") instructions/s, $idle_calls system calls/s"
    smallest=$(printf '%s\n' "${delta[@]}" | grep . | sort -n | head -1 || true)
    if [ -n "$smallest" ]; then
      echo "idle × the long session's extra $((long - duration)) s = $(group "$(awk -v i="$idle_instr" -v t="$((long - duration))" 'BEGIN {print i * t}')") instructions:" \
        "$(awk -v i="$idle_instr" -v t="$((long - duration))" -v d="$smallest" 'BEGIN {printf "%.2f", 100 * i * t / d}') % of the smallest maas-proxy difference of totals (left in)"
    fi
  fi
  echo
  if [ "${#usage_seen_of[@]}" -gt 0 ]; then
    echo "token accounting, scraped from each maas leg's admin /metrics at the end of its strace run:"
    for leg in $all_legs; do
      if ! has_leg "$leg" || [[ $leg != maas-* ]]; then continue; fi
      for size in $sizes; do echo "  $leg $size: ${usage_seen_of[$leg-$size]}"; done
    done
  fi
  echo "system calls per request (those made at least 0.5 times):"
  for leg in $all_legs; do
    has_leg "$leg" || continue
    for size in $sizes; do echo "  $leg $size: ${mix[$leg-$size]}"; done
  done
  echo "raw counts:"
  for leg in $all_legs; do
    has_leg "$leg" || continue
    for size in $sizes; do echo "  $leg $size: ${raw[$leg-$size]}"; done
  done
  [ -n "$idle_raw" ] && echo "  idle: $idle_raw"
  for w in "${warnings[@]}"; do echo "WARNING: $w"; done
} | tee "$out"
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp "$work"/*.callgrind "$work"/metrics-*.txt "$keep"/ 2>/dev/null || true
  for dir in "$work"/cg-* "$work"/strace-*; do [ -d "$dir" ] && cp -r "$dir" "$keep"/; done
  echo "cost: raw material in $keep" >&2
fi
