// libFuzzer harness: an answer's decoded body through UsageScanner (SPEC 7), as ForwardRelay feeds it:
// piece after piece, each piece only once.
//
// Input: byte 0 picks the format (bit 0 clear: text/event-stream, set: JSON); the rest is the body. Every
// input runs whole, split in two at a point taken from its hash, and trickled (one byte per piece up to 512
// bytes, else pieces of 1 to 64 bytes); the three results must be equal. A finding is any trap: a
// `contractViolation` (the message says which rule), a Swift runtime trap in the scanner (overflow,
// bounds), an AddressSanitizer report (each piece is fed with every byte outside it poisoned, so a read
// past a piece or of an earlier one is caught), a hang or too much memory. Rules checked after each piece:
// the scanner never holds more than `UsageScanner.bufferCapacity` bytes, and a field once reported stays
// reported (a later piece may change its value, never remove it).
import FuzzKit
import Usage

@_cdecl("FuzzUsageScanner_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzOneInput)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let format: UsageFormat = data[0] & 1 == 0 ? .eventStream : .json
    let input = FuzzInput(data + 1, count: size - 1)
    var transcripts: [(schedule: [Int], events: [Outcome])] = []
    for schedule in input.schedules() {
        var scanner = UsageScanner(format: format)
        var offset = 0
        for available in schedule {
            let previous = scanner.usage
            input.withWindow(offset, available) { scanner.feed($0) }
            offset = available
            require(
                scanner.bufferedBytes <= UsageScanner.bufferCapacity,
                "the scanner holds more than its buffer's capacity",
                "\(scanner.bufferedBytes) bytes after \(available) of \(input.count)"
            )
            let usage = scanner.usage
            require(
                (previous.input == nil || usage.input != nil) && (previous.output == nil || usage.output != nil)
                    && (previous.cachedInput == nil || usage.cachedInput != nil),
                "a reported field disappeared",
                "before: \(previous)\nafter \(available) of \(input.count) bytes: \(usage)"
            )
        }
        require(scanner.sawUsage == !scanner.usage.isEmpty, "sawUsage disagrees with usage")
        transcripts.append((schedule, [Outcome(usage: scanner.usage)]))
    }
    if traceTranscripts { print("format \(format), body \(escaped(input.bytes))") }
    requireSameTranscripts(transcripts)
    return 0
}

/// What an answer's scan came to.
struct Outcome: Equatable, CustomStringConvertible {
    var usage: TokenUsage
    var description: String { "usage: \(usage)" }
}
