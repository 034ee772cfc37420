/// The caller's `Authorization` value, trimmed of surrounding whitespace (SPEC 3.2).
///
/// It prints as `present`: a credential can reach a log only by reading `.value` on purpose.
public struct Credential: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The trimmed header value, byte-identical otherwise. Send it upstream; never log it.
    public let value: String

    /// nil when the header is missing or blank (SPEC 3 step 1, 5.2).
    public init?(authorizationHeader raw: String?) {
        guard let raw else { return nil }
        let trimmed = raw.trimmingHTTPWhitespace()
        guard !trimmed.isEmpty else { return nil }
        self.value = trimmed
    }

    public var description: String { "present" }
    public var debugDescription: String { "Credential(present)" }
}

/// Who is asking: the credential and the subscription it speaks for (SPEC 3.2, 4).
public struct Caller: Hashable, Sendable, CustomStringConvertible {
    public let credential: Credential
    /// The last non-empty `X-MaaS-Subscription` value, trimmed; nil when there is none.
    public let subscription: String?

    /// `subscription` is trimmed; a blank one counts as none (SPEC 3.2: the header is then omitted,
    /// and the decision key is the same as without one).
    public init(credential: Credential, subscription: String?) {
        self.credential = credential
        let trimmed = subscription?.trimmingHTTPWhitespace()
        self.subscription = trimmed?.isEmpty == false ? trimmed : nil
    }

    /// Picks the last non-empty value among every `X-MaaS-Subscription` header received, in order.
    public init(credential: Credential, subscriptionHeaderValues: [String]) {
        let last = subscriptionHeaderValues.lazy.map { $0.trimmingHTTPWhitespace() }.last { !$0.isEmpty }
        self.init(credential: credential, subscription: last)
    }

    public var description: String { "Caller(credential: present, subscription: \(subscription ?? "none"))" }
}

extension String {
    /// Trims spaces, tabs, CR and LF (RFC 9110 optional whitespace, plus stray line ends).
    public func trimmingHTTPWhitespace() -> String {
        // Over UTF-8 bytes, not Characters: the four are ASCII, and this runs for every credential.
        let utf8 = self.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !isSpace($0) })!
        if first == utf8.startIndex && utf8.index(after: last) == utf8.endIndex { return self }
        return String(self[first...last])
    }
}
