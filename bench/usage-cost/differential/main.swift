import Foundation
import NewUsage
import OldUsage

// bench/usage-cost/differential.sh: mutated answers, each fed whole, cut in two, trickled and in random pieces, to the
// previous reader (OldUsage) and the new one (NewUsage); any difference in the usage is a finding.
struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
let args = CommandLine.arguments
let count = args.count > 1 ? Int(args[1])! : 100000
var gen = Seeded(state: args.count > 2 ? UInt64(args[2])! : 1)
var seeds: [[UInt8]] = []
for dir in args.dropFirst(3) {
    for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
        if let d = FileManager.default.contents(atPath: dir + "/" + name) { seeds.append(Array(d)) }
    }
}
let tokens: [[UInt8]] = [
    "\"", "\\", ":", ",", "{", "}", "[", "]", " ", "\n", "\r", "\r\n", "\t", "0", "1", "9", "-", ".", "e", "E", "+",
    "true", "false", "null", "\"usage\":", "\"usage\":{", "\"prompt_tokens\":", "\"completion_tokens\":",
    "\"input_tokens\":",
    "\"output_tokens\":", "\"cached_tokens\":", "\"prompt_tokens_details\":{", "\"response\":{", "\"message\":{",
    "\\u0061", "\\\"", "data: ", "\n\n", "12345678901234567890", "\u{1}", "x", "\"a\"", "[DONE]", "12", "007",
    "\"cache_read_input_tokens\":", "\"input_tokens_details\":{",
].map { Array($0.utf8) }
func mutate(_ input: [UInt8]) -> [UInt8] {
    var b = input
    let n = Int.random(in: 0...4, using: &gen)
    for _ in 0..<n {
        let op = Int.random(in: 0..<6, using: &gen)
        let pos = b.isEmpty ? 0 : Int.random(in: 0...b.count, using: &gen)
        switch op {
        case 0: b.insert(contentsOf: tokens.randomElement(using: &gen)!, at: pos)
        case 1: if pos < b.count { b.remove(at: pos) }
        case 2: if pos < b.count { b[pos] = UInt8.random(in: 0...255, using: &gen) }
        case 3:
            if pos < b.count {
                let len = min(b.count - pos, Int.random(in: 1...40, using: &gen))
                let slice = Array(b[pos..<pos + len])
                let at = Int.random(in: 0...b.count, using: &gen)
                b.insert(contentsOf: slice, at: at)
            }
        case 4:
            if pos < b.count {
                let len = min(b.count - pos, Int.random(in: 1...20, using: &gen))
                b.removeSubrange(pos..<pos + len)
            }
        default: if pos < b.count { b[pos] = tokens.randomElement(using: &gen)!.first! }
        }
    }
    return b
}
func cuts(_ b: [UInt8]) -> [[Int]] {
    var r: [[Int]] = [[]]
    if b.count > 1 { r.append([Int.random(in: 1..<b.count, using: &gen)]) }
    if b.count > 1 { r.append(Array(1..<b.count)) }
    var c: [Int] = []
    var p = 0
    while true {
        p += Int.random(in: 1...40, using: &gen)
        if p >= b.count { break }
        c.append(p)
    }
    r.append(c)
    return r
}
func pieces(_ b: [UInt8], _ cut: [Int]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var last = 0
    for c in cut + [b.count] {
        out.append(Array(b[last..<c]))
        last = c
    }
    return out
}
var findings = 0
var compared = 0
var withUsage = 0
for i in 0..<count {
    let seed = seeds[i % seeds.count]
    let input = mutate(seed)
    for type in ["application/json", "text/event-stream"] {
        for cut in cuts(input) {
            var old = OldUsage.UsageScanner(contentType: type)
            var new = NewUsage.UsageScanner(contentType: type)
            for piece in pieces(input, cut) {
                // Feed copies exactly the piece's size (no bytes readable past it in the array's storage that matter).
                piece.withUnsafeBytes { old.feed($0) }
                piece.withUnsafeBytes { new.feed($0) }
            }
            compared += 1
            let o = old.usage
            let n = new.usage
            if o.input != n.input || o.output != n.output || o.cachedInput != n.cachedInput
                || old.sawUsage != new.sawUsage
            {
                findings += 1
                if findings <= 5 {
                    print(
                        "FINDING \(type) cut \(cut.count) old \(o) new \(n): \(String(decoding: input, as: UTF8.self).debugDescription)"
                    )
                }
            }
            if !o.isEmpty { withUsage += 1 }
        }
    }
}
print("diff: \(count) mutated answers, \(compared) feeds compared (\(withUsage) with usage), \(findings) findings")
