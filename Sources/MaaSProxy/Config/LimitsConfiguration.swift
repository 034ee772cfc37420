/// What a client's request may cost the proxy before it is handled (`limits.*`, SPEC 5.5).
struct LimitsConfiguration: Sendable, Equatable {
    /// Larger request bodies get `413` (`limits.maxRequestBodyBytes`); 16 MiB.
    var maxRequestBodyBytes = 16_777_216
    /// Larger request heads get `431` (`limits.maxHeaderBytes`); 64 KiB.
    var maxHeaderBytes = 65_536
    /// A request's head and body must arrive whole within this time of its first byte
    /// (`limits.requestReadTimeout`), or the connection is closed after a `408`: a client trickling
    /// its request cannot hold a connection for long. Go's `http.Server.ReadTimeout`, per request.
    var requestReadTimeout = Duration.seconds(60)
}
