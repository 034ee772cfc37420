extension SensitiveHeader {
    /// What a log may show for header `name` carrying `value` (SPEC 6 Logs).
    ///
    /// For `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` and `X-Api-Key` (any
    /// case): `present` or `absent` (nil or blank) — never the value, a prefix of it, or its length.
    /// Any other header: its value as it is, `""` when absent.
    static func redact(name: String, value: String?) -> String {
        isSensitive(name) ? presence(value) : value ?? ""
    }
}
