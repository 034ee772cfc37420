#!/usr/bin/env bash
# Instructions per byte the body router spends on a multipart/form-data file part (SPEC 5.1 step 2),
# counted with valgrind --tool=callgrind, not timed: bench/multipart-cost.sh [file-bytes] (default 1 MiB).
#
# The reader's sources (Sources/Routing's body readers, which need nothing but the standard library
# and libc) are compiled with `swiftc -O` into one small driver, stripped with `strip --strip-debug`
# (valgrind 3.19 cannot read Swift 6.3's DWARF). The driver builds a body as httpx writes it for
# `client.audio.transcriptions.create` (model field after the file part, the worst place) and reads
# it R times; two runs that differ only in R give the cost of one read without start-up or body
# building: (Ir(R=11) - Ir(R=1)) / (10 * file bytes). Three file contents: pseudo-random bytes (what
# compressed audio looks like), all CR (every byte a candidate), and `CRLF--<boundary minus one>!`
# repeated (every CR a near miss compared to its end), and the worst case for the skip search: a
# boundary of 70 `a` over a file of `a`.
set -euo pipefail
cd "$(dirname "$0")/.."
bytes=${1:-1048576}
work=.build-bench/multipart
mkdir -p "$work"
cat >"$work/main.swift" <<'SWIFT'
let bytes = Int(CommandLine.arguments[1])!
let reads = Int(CommandLine.arguments[2])!
let kind = CommandLine.arguments[3]
// `same`: the adversary's choice, a boundary of 70 `a` over a file of `a`, every window shifted by one.
let boundary = kind == "same" ? String(repeating: "a", count: 70) : "2e5ca1d9ecf9cff6ecb5c8ca20a5721b"
var file = [UInt8](repeating: kind == "same" ? UInt8(ascii: "a") : 0x0D, count: bytes)
if kind == "random" {
    var state: UInt64 = 0x6175_6469_6F00
    for index in file.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        file[index] = UInt8(truncatingIfNeeded: state >> 33)
    }
} else if kind == "near" {
    let miss = Array("\r\n--\(boundary.dropLast())!".utf8)
    for index in file.indices { file[index] = miss[index % miss.count] }
}
var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"speech.wav\"\r\n".utf8)
body += "Content-Type: audio/wav\r\n\r\n".utf8
body += file
body += "\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n--\(boundary)--\r\n".utf8
var found = 0
for _ in 0..<reads {
    if case .model = RequestBodyModel.read(body, contentType: "multipart/form-data; boundary=\(boundary)") { found += 1 }
}
guard found == reads else { fatalError("read \(found) of \(reads)") }
SWIFT
sources=(Sources/Routing/RequestBodyModel.swift Sources/Routing/RequestBodyModel+ContentType.swift
  Sources/Routing/BodyMediaType.swift Sources/Routing/HeaderParameters.swift Sources/Routing/MultipartFault.swift
  Sources/Routing/MultipartFormReader.swift)
swiftc -O -module-name Routing "${sources[@]}" "$work/main.swift" -o "$work/driver"
strip --strip-debug "$work/driver"
instructions() { # kind reads -> total Ir
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$1.$2" "$work/driver" "$bytes" "$2" "$1" 2>&1 |
    sed -nE 's/.*Collected : ([0-9]+).*/\1/p'
}
for kind in random cr near same; do
  one=$(instructions "$kind" 1)
  eleven=$(instructions "$kind" 11)
  awk -v k="$kind" -v a="$one" -v b="$eleven" -v n="$bytes" \
    'BEGIN { printf "%-7s %d-byte file part: %.3f instructions/byte (%d instructions a read)\n", k, n, (b - a) / (10 * n), (b - a) / 10 }'
done
