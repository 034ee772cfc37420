#!/usr/bin/env bash
# Differential run of the usage scanner (SPEC 7): mutated answers, each as JSON and as an event stream,
# fed whole, cut in two at random, trickled and in random pieces, to the Usage target of an earlier
# commit and to the working tree's; prints the number of differences in what they report.
#   bench/usage-cost/differential.sh <commit> [answers] [seed]   (default 300000 answers, seed 1)
# Seeds: Fuzz/corpus/usage, bench/cost.sh's and the cost tool's JSON answers, and generated answers
# with escapes, brackets and line ends inside skipped strings. Builds in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
commit=${1:?usage: bench/usage-cost/differential.sh <commit> [answers] [seed]}
answers=${2:-300000}
seed=${3:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Sources/OldUsage" "$work/Sources/Diff" "$work/seeds"
git archive "$commit" Sources/Usage | tar -x -C "$work/Sources/OldUsage" --strip-components=2 -f -
[ -n "$(ls "$work/Sources/OldUsage")" ] || { echo "differential: no Sources/Usage at $commit" >&2; exit 1; }
ln -s "$PWD/Sources/Usage" "$work/Sources/NewUsage"
cp bench/usage-cost/differential/main.swift "$work/Sources/Diff/main.swift"
cat >"$work/Package.swift" <<'PKG'
// swift-tools-version:5.10
import PackageDescription
let package = Package(
    name: "differential",
    targets: [
        .target(name: "OldUsage"),
        .target(name: "NewUsage"),
        .executableTarget(name: "Diff", dependencies: ["OldUsage", "NewUsage"]),
    ]
)
PKG
cp Fuzz/corpus/usage/* "$work/seeds/"
python3 - "$work/seeds" <<'PY'
import random, sys
d = sys.argv[1]
open(d + "/cost-json", "w").write('{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"facebook/opt-125m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}')
open(d + "/chat-json", "w").write('{"id":"chatcmpl-e5","object":"chat.completion","created":1733223004,"model":"granite-3.1-8b","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":null,"content":"The answer is 4.","tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":24,"total_tokens":39,"completion_tokens":15,"prompt_tokens_details":{"cached_tokens":3}},"prompt_logprobs":null,"kv_transfer_params":null}')
open(d + "/sse-chat", "w").write('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" fox \\"q\\" [x]"},"logprobs":null}]}\n\ndata: {"id":"c","choices":[],"usage":{"prompt_tokens":17,"completion_tokens":200,"prompt_tokens_details":null}}\n\ndata: [DONE]\n\n')
random.seed(5)
parts = ['"a\\"b"', '"x\\\\"', '"[}{]"', '{"k":[1,2,{"z":"\\u0041"}]}', '[[[]]]',
         '"long string with spaces and ] brackets } inside"', 'null', '12.5e3', '"\\n"', '{"q":"\\""}']
for i in range(12):
    inner = ",".join(random.choice(parts) for _ in range(random.randint(5, 30)))
    js = '{"id":"x%d","choices":[%s],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"prompt_tokens_details":{"cached_tokens":%d}},"tail":[%s]}' % (i, inner, i + 1, i + 2, i, inner)
    open("%s/gen-json-%d" % (d, i), "w").write(js)
    open("%s/gen-sse-%d" % (d, i), "w").write("data: " + js + '\n\ndata: {"choices":[%s],"usage":{"output_tokens":%d}}\r\n\r\n' % (inner, i + 5))
PY
swift build -c release --package-path "$work" >/dev/null
"$work/.build/release/Diff" "$answers" "$seed" "$work/seeds"
