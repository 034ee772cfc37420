import Routing

/// Builds the probe of SPEC 3.2 for one candidate and caller.
public struct ProbeRequestBuilder: Sendable {
    /// Sent as `User-Agent: maas-proxy/<version>`.
    public var version: String

    public init(version: String) {
        self.version = version
    }

    /// The probe for `candidate`, or nil when its kind has no probe.
    ///
    /// Headers, exactly and in this order: the caller's trimmed `Authorization`, `X-Maas-Subscription`
    /// when the caller named one, `Accept`, `User-Agent`. No other caller header is sent.
    public func request(for candidate: Candidate, caller: Caller) -> ProbeRequest? {
        guard case .http(let method, let path) = candidate.probe else { return nil }
        var headers = [HTTPHeader("Authorization", caller.credential.value)]
        if let subscription = caller.subscription { headers.append(HTTPHeader("X-Maas-Subscription", subscription)) }
        headers.append(HTTPHeader("Accept", "application/json"))
        headers.append(HTTPHeader("User-Agent", "maas-proxy/\(version)"))
        return ProbeRequest(method: method, url: candidate.endpoint.appendingPath(path), headers: headers)
    }
}
