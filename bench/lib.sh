# Shell helpers shared by the bench scripts (sourced, not run). The caller has `cd`'d to the
# repository root, runs with `set -euo pipefail`, and sets `work` (a scratch directory) before
# calling the functions that write there.
#
# The forwarding setup used by bench/forwarding.sh and bench/observability.sh: one fake backend
# (config/demo/backend-a.yaml), a one-model catalog whose endpoint keeps the model's path prefix,
# and a wrk script that POSTs a non-streamed chat completion routed by the body's `model`.
bench_model_id=facebook/opt-125m
bench_model_prefix=/llm/facebook-opt-125m-simulated
bench_token="Bearer alice-token"
bench_body="{\"model\":\"$bench_model_id\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"

free_port() { # a port below the kernel's ephemeral range that no socket uses (nothing listens on it)
  # Below the range: an outgoing connection (wrk's, a proxy's upstream, another session's) can take
  # a port inside it as its local port before the server binds it, and maas-proxy then refuses to
  # start ("the port is already in use"). The range is read from the kernel (Debian: 32768–60999);
  # when too little lies below it, ports above it are taken instead.
  local low high lo span port
  read -r low high 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || { low=32768 high=60999; }
  if [ "$low" -gt 11000 ]; then
    lo=10000 span=$((low - 10000))
  elif [ "$high" -lt 64535 ]; then
    lo=$((high + 1)) span=$((65535 - high))
  else
    lo=10000 span=$((65535 - 10000)) # the range covers nearly everything: any port nothing uses
  fi
  while :; do
    port=$((lo + (RANDOM * 32768 + RANDOM) % span))
    if command -v ss >/dev/null; then
      # any socket on the port, listening or not (a connection's local port, TIME_WAIT included)
      [ -z "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ] && { echo "$port"; return; }
    else
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    fi
  done
}

start_fake_backend() { # bin config out_file -> sets backend_pid, and backend_port (empty if it did not start)
  "$1/fake-model-server" --listen 127.0.0.1:0 --config "$2" >"$3" 2>&1 &
  backend_pid=$!
  for _ in $(seq 1 100); do grep -q '^listening' "$3" 2>/dev/null && break; sleep 0.05; done
  backend_port=$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$3")
}

write_bench_catalog() { # directory backend_url -> the one-model catalog of $bench_model_prefix on the backend
  # The endpoint keeps the model's path: the backend serves the model under that prefix, so the proxy
  # probes <endpoint>/v1/models and forwards body-routed calls to <endpoint>/v1/chat/completions.
  mkdir -p "$1"
  cat >"$1/bench.yaml" <<YAML
apiVersion: maas.opendatahub.io/v1alpha1
kind: MaaSModel
metadata:
  name: facebook-opt-125m-simulated
  namespace: llm
spec:
  modelRef:
    kind: LLMInferenceService
    name: facebook-opt-125m-simulated
status:
  endpoint: $2$bench_model_prefix
  phase: Ready
YAML
}

write_post_lua() { # file -> a wrk script POSTing $bench_body with $bench_token
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = '$bench_body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "$bench_token"
LUA
}

wait_ready() { # admin_port pid -> 0 once /readyz answers, 1 if the process died or 5 s passed
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  curl -sf "http://127.0.0.1:$1/readyz" >/dev/null 2>&1
}

ms() { # wrk latency (850.00us, 1.23ms, 2.00s, 1.00m) -> milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 } else if (v ~ /m$/) { sub(/m$/, "", v); print v * 60000 }
    else print v }'
}

wrk_summary() { # wrk --latency output on stdin -> "req/s p50_ms p99_ms errors"
  local out rps p50 p99 errors
  out=$(cat)
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  errors=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {
    for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i } END {print n + 0}' <<<"$out")
  echo "$rps $p50 $p99 $errors"
}

build_release() { # scratch_path product... -> builds each product in release mode; sets bin to their directory
  local scratch=$1 product
  shift
  for product in "$@"; do
    swift build -c release --scratch-path "$scratch" --product "$product" >/dev/null
  done
  bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
}

make_workspace() { # -> sets work (a temporary directory) and pids; on exit kills and reaps pids, removes work
  work=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}

cpu_ticks() { # pid... -> their user+system CPU time so far, in clock ticks (threads included)
  local pid total=0 t
  for pid in "$@"; do
    t=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

cpu_us_per_request() { # ticks_before ticks_after requests -> CPU microseconds per request
  awk -v t="$(($2 - $1))" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {
    if (n > 0) printf "%.1f", t * 1000000 / hz / n; else print "nan" }'
}

median() { sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
