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

    // (`borrowing`: the head's two arrays are read in place, not retained and released for the call.)
    init(head: borrowing ResponseHead, requestEndedAt: MonotonicInstant) {
        let format = Self.format(of: head)
        scanner = UsageScanner(format: format)
        isStream = format == .eventStream
        self.requestEndedAt = requestEndedAt
    }

    /// The answer's format from its head's bytes in place: building Strings of the two values cost
    /// more than the rest of the head's handling (bench/results/profile-usage.txt), and a generic call
    /// across modules as much again (bench/results/cost-usage.txt).
    private static func format(of head: borrowing ResponseHead) -> UsageFormat? {
        head.bytes.withUnsafeBufferPointer { bytes in
            head.fields.withUnsafeBufferPointer { fields in format(bytes, fields) }
        }
    }

    private static func format(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ fields: UnsafeBufferPointer<HeaderField>
    ) -> UsageFormat? {
        // One pass over the fields, names told apart by length, then compared a word at a time:
        // every byte of the two names has bit 5 set (lowercase letters, `-`), so setting it in the
        // received name lowercases it and lets no other token character match.
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        func word(_ offset: Int) -> UInt64 {
            raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | 0x2020_2020_2020_2020
        }
        var contentType: Range<Int>?
        var contentEncoding: Range<Int>?
        for field in fields {
            let name = field.name.lowerBound
            switch field.name.upperBound &- name {
            case 12 where contentType == nil:
                if word(name) == Self.content,
                    raw.loadUnaligned(fromByteOffset: name &+ 8, as: UInt32.self) | 0x2020_2020 == Self.type
                {
                    contentType = field.value
                }
            case 16 where contentEncoding == nil:
                if word(name) == Self.content, word(name &+ 8) == Self.encoding { contentEncoding = field.value }
            default: continue
            }
        }
        guard let contentType else { return nil }
        return UsageFormat(
            contentType: UnsafeBufferPointer(rebasing: bytes[contentType]),
            contentEncoding: contentEncoding.map { UnsafeBufferPointer(rebasing: bytes[$0]) }
        )
    }

    /// `content-`, `encoding` and `type` as little-endian loads read them (UsageMeterTests checks them).
    static let content: UInt64 = 0x2D74_6E65_746E_6F63
    static let encoding: UInt64 = 0x676E_6964_6F63_6E65
    static let type: UInt32 = 0x6570_7974

    /// A piece of the body, as relayed to the client. Only a stream's timing is reported, so `now` is
    /// read for a stream's first piece only (a clock read per answer saved on the others).
    mutating func relayed(_ bytes: UnsafeRawBufferPointer, at now: @autoclosure () -> MonotonicInstant) {
        if isStream, firstByteAt == nil, bytes.count > 0 { firstByteAt = now() }
        scanner.feed(bytes)
    }

    /// The answer ended (whole, cut off, or its client gone); `now` is read for a stream only.
    mutating func ended(at now: @autoclosure () -> MonotonicInstant) {
        if isStream, lastByteAt == nil { lastByteAt = now() }
    }

    /// The answer ended (whole, cut off, or its client gone): what it reported. One call in place
    /// (`meter?.finish(at:)`): reading `report` off a copy of the meter cost a few hundred bytes copied.
    mutating func finish(at now: @autoclosure () -> MonotonicInstant) -> UsageReport {
        ended(at: now())
        return report
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
