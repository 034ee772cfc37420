import Routing

/// One header line, name as written.
public struct HTTPHeader: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The request of one probe attempt (SPEC 3.2), ready for a transport to send.
public struct ProbeRequest: Hashable, Sendable {
    public var method: String
    /// The full target: endpoint joined with the kind's probe path, endpoint query kept.
    public var url: EndpointURL
    /// Exactly the headers to send, in order (Host is the transport's job).
    public var headers: [HTTPHeader]

    public init(method: String, url: EndpointURL, headers: [HTTPHeader]) {
        self.method = method
        self.url = url
        self.headers = headers
    }
}

/// What a transport observed for one attempt.
public enum ProbeResponse: Hashable, Sendable {
    /// A complete response. `body` is at most the transport's byte limit.
    case http(status: Int, body: [UInt8])
    /// The body exceeded the limit; the transport stopped reading.
    case bodyTooLarge(status: Int)
    /// Connect, TLS, reset, timeout…: no complete response. `reason` is for logs, never shown to callers.
    case failed(reason: String)
}

/// Sends probe attempts. Implemented by `MaaSProxy` over libevent; by fakes in unit tests.
public protocol ProbeTransport: Sendable {
    /// Sends `request` from the current loop's thread. `completion` runs exactly once, on the same
    /// thread, unless the returned cancellation was used first (then it never runs).
    func send(
        _ request: ProbeRequest,
        maxBodyBytes: Int,
        timeout: Duration,
        completion: @escaping @Sendable (ProbeResponse) -> Void
    ) -> any ProbeCancellation
}

/// Abandons an attempt in flight. Call on the loop's thread.
public protocol ProbeCancellation: Sendable {
    func cancel()
}

/// SHA-256, provided by `MaaSProxy` through OpenSSL (SPEC 4: raw credentials are never stored).
public protocol DigestFunction: Sendable {
    func sha256(_ bytes: [UInt8]) -> [UInt8]

    /// The same digest of `input` written to `output` (32 bytes) without allocating; false, with
    /// `output` untouched, when this function's digests are not 32 bytes long (test doubles).
    /// The default goes through `sha256(_:)`.
    func sha256(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool
}

extension DigestFunction {
    public func sha256(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        let digest = sha256(Array(input))
        guard digest.count == 32, output.count >= 32 else { return false }
        output.copyBytes(from: digest)
        return true
    }
}
