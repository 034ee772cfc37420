/// Token usage accounting (`usage.*`, SPEC 7).
struct UsageConfiguration: Sendable, Equatable {
    /// Read the usage every answer reports (token metrics, token fields of the access line).
    /// `false` skips the scanning; `credentialId` and `subscription` are still logged.
    var enabled = true
    /// Add `stream_options.include_usage` to streamed chat and text completion requests without it.
    var forceStreamUsage = false
    /// The HMAC key of `credentialId`: this file's contents, trailing newline removed; a random
    /// key per process when unset.
    var credentialIdKeyFile: String?
}
