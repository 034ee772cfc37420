import CFuzzSupport

#if canImport(Glibc)
import Glibc
#endif

/// The signature libFuzzer calls: `int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)`.
public typealias FuzzTestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// The body of each harness's `<Target>_main`.
///
/// SwiftPM links every executable target with `--defsym main=<Target>_main` (the entry point is renamed
/// so tests can link the module), which overrides the `main` of libclang_rt.fuzzer. With
/// `-parse-as-library` and no top-level code the module defines no `<Target>_main`, so each harness
/// defines it with `@_cdecl` and hands over to libFuzzer's own driver here.
public func runLibFuzzer(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ testOneInput: FuzzTestOneInput
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}

/// A broken contract: prints what was seen and traps, which libFuzzer reports as a crash.
public func contractViolation(_ rule: String, _ details: @autoclosure () -> String = "") -> Never {
    let text = details()
    fatalError("fuzz contract violated: \(rule)" + (text.isEmpty ? "" : "\n" + text))
}

/// Checks `condition`; see `contractViolation`.
@inline(__always)
public func require(_ condition: Bool, _ rule: @autoclosure () -> String, _ details: @autoclosure () -> String = "") {
    if !condition { contractViolation(rule(), details()) }
}

/// `bytes` as a C-like string literal (printable ASCII kept, the rest as \r \n \t \xNN), cut after `limit`.
public func escaped<Bytes: Collection>(_ bytes: Bytes, limit: Int = 512) -> String where Bytes.Element == UInt8 {
    var text = "\""
    for byte in bytes.prefix(limit) {
        switch byte {
        case 0x0D: text += "\\r"
        case 0x0A: text += "\\n"
        case 0x09: text += "\\t"
        case 0x22: text += "\\\""
        case 0x5C: text += "\\\\"
        case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            text += "\\x" + (hex.count == 1 ? "0" : "") + hex
        }
    }
    text += "\""
    if bytes.count > limit { text += "... (\(bytes.count) bytes)" }
    return text
}

/// The transcripts of one input fed by each schedule must all be equal (the incremental contract).
public func requireSameTranscripts<Event: Equatable & CustomStringConvertible>(
    _ transcripts: [(schedule: [Int], events: [Event])]
) {
    guard let first = transcripts.first else { return }
    if traceTranscripts {
        print(first.events.map { "  \($0)" }.joined(separator: "\n"))
    }
    for other in transcripts.dropFirst() where other.events != first.events {
        let reads = other.schedule.count > 16 ? "\(other.schedule.count) reads" : "reads \(other.schedule)"
        contractViolation(
            "whole and split input give different results",
            "whole (one read of \(first.schedule[0]) bytes):\n" + first.events.map { "  \($0)" }.joined(separator: "\n")
                + "\nsplit (\(reads)):\n" + other.events.map { "  \($0)" }.joined(separator: "\n")
        )
    }
}

/// FUZZ_TRACE=1 in the environment: print each input's transcript (for running single inputs by hand).
let traceTranscripts = getenv("FUZZ_TRACE") != nil
