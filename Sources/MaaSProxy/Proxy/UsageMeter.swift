import AccessCheck
import HTTP1
import Usage

/// The token usage of one forwarded answer and a stream's timing (SPEC 7), gathered while the relay
/// passes the body on: it reads the bytes on their way and never holds or delays any.
///
/// Made when a 2xx head of an inference call arrives (`ForwardRelay`), fed every decoded body piece,
/// and read at the end, whole or cut short: `report` holds whatever had been reported by then.
struct UsageMeter {
    private var scanner: UsageScanner
    /// A Server-Sent Events answer: only streams have a time to first token.
    let isStream: Bool
    /// When the request's last byte was received.
    private let requestEndedAt: MonotonicInstant
    private var firstByteAt: MonotonicInstant?
    private var lastByteAt: MonotonicInstant?

    init(head: ResponseHead, requestEndedAt: MonotonicInstant) {
        let format = Self.format(of: head)
        scanner = UsageScanner(format: format)
        isStream = format == .eventStream
        self.requestEndedAt = requestEndedAt
    }

    /// The answer's format from its head's bytes in place: building Strings of the two values cost
    /// more than the rest of the head's handling (bench/results/profile-usage.txt).
    private static func format(of head: ResponseHead) -> UsageFormat? {
        // One pass over the fields, names told apart by length before any byte is compared.
        var contentType: HeaderField?
        var contentEncoding: HeaderField?
        for field in head.fields {
            switch field.name.count {
            case 12 where contentType == nil && head.nameEquals(field, "content-type"): contentType = field
            case 16 where contentEncoding == nil && head.nameEquals(field, "content-encoding"): contentEncoding = field
            default: continue
            }
        }
        guard let contentType else { return nil }
        let type = head.bytes[contentType.value]
        guard let contentEncoding else { return UsageFormat(contentType: type) }
        return UsageFormat(contentType: type, contentEncoding: head.bytes[contentEncoding.value])
    }

    /// A piece of the body, as relayed to the client; `now` is read for the first piece only.
    mutating func relayed(_ bytes: UnsafeRawBufferPointer, at now: @autoclosure () -> MonotonicInstant) {
        if firstByteAt == nil, bytes.count > 0 { firstByteAt = now() }
        scanner.feed(bytes)
    }

    /// The answer ended (whole, cut off, or its client gone).
    mutating func ended(at now: MonotonicInstant) {
        if lastByteAt == nil { lastByteAt = now }
    }

    var report: UsageReport {
        var report = UsageReport(usage: scanner.usage)
        guard isStream, let firstByteAt else { return report }
        report.timeToFirstToken = firstByteAt.since(requestEndedAt)
        // OpenTelemetry's time per output token: the time after the first token, per later token.
        if let lastByteAt, let output = scanner.usage.output, output >= 2 {
            report.timePerOutputToken = lastByteAt.since(firstByteAt) / (output - 1)
        }
        return report
    }
}

/// What an access line and the token metrics say of one metered answer (SPEC 7).
struct UsageReport: Sendable, Equatable {
    /// Only the fields the backend reported; empty when it reported none.
    var usage: TokenUsage
    /// Streams: from the request's last byte received to the first body byte relayed.
    var timeToFirstToken: Duration?
    /// Streams reporting at least two output tokens: (last byte − first byte) / (output − 1).
    var timePerOutputToken: Duration?
}
