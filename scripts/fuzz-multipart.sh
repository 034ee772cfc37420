#!/usr/bin/env bash
# Builds and runs the libFuzzer harness of the body router's multipart/form-data reader for a bounded time:
# scripts/fuzz-multipart.sh [seconds] (default 60). Fuzz/multipart/FuzzMultipartReader.swift says what it checks.
#
# Not part of the Fuzz package (which fuzzes HTTP1 through the root package's library product): the reader's
# sources need nothing but the standard library and libc, so they are compiled with the harness into one module
# with swiftc -sanitize=fuzzer,address. Everything it writes is under .build-fuzz-multipart/ (the working corpus,
# seeded from Fuzz/multipart/corpus and kept between runs, the log, findings). Prints
# `fuzz-multipart: N executions, K findings`; exits non-zero on any finding, after printing its input's path.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz-multipart.sh [seconds]" >&2
  exit 2
fi
work=.build-fuzz-multipart
run_dir="$work/runs/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run_dir/artifacts" "$work/corpus"
sources=(Sources/Routing/RequestBodyModel.swift Sources/Routing/RequestBodyModel+ContentType.swift
  Sources/Routing/BodyMediaType.swift Sources/Routing/HeaderParameters.swift Sources/Routing/MultipartFault.swift
  Sources/Routing/MultipartFormReader.swift Fuzz/multipart/FuzzMultipartReader.swift)
if ! swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name Routing "${sources[@]}" \
  -o "$work/fuzz-multipart" >"$run_dir/build.log" 2>&1; then
  tail -n 40 "$run_dir/build.log"
  echo "fuzz-multipart: FAILED (build, log in $run_dir/build.log)"
  exit 1
fi
for seed in Fuzz/multipart/corpus/*; do
  [ -e "$work/corpus/${seed##*/}" ] || cp "$seed" "$work/corpus/"
done
status=0
SWIFT_BACKTRACE=enable=no timeout -k 10 $((seconds + 120)) "$work/fuzz-multipart" "$work/corpus" \
  -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=4096 -dict=Fuzz/multipart.dict \
  -artifact_prefix="$run_dir/artifacts/" -print_final_stats=1 >"$run_dir/fuzz.log" 2>&1 || status=$?
runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$run_dir/fuzz.log" | tail -1)
mapfile -t found < <(find "$run_dir/artifacts" -type f)
echo "fuzz-multipart: ${runs:-0} executions, ${#found[@]} findings"
if [ "$status" -ne 0 ] || [ "${#found[@]}" -gt 0 ]; then
  grep -m 5 -E "ERROR|fuzz contract violated|Fatal error" "$run_dir/fuzz.log" || tail -n 20 "$run_dir/fuzz.log"
  for artifact in "${found[@]}"; do echo "finding: $artifact"; done
  echo "fuzz-multipart: FAILED (exit $status, log in $run_dir/fuzz.log)"
  exit 1
fi
