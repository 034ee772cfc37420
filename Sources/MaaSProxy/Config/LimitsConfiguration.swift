/// Request size limits (`limits.*`, SPEC 5.5), in bytes.
struct LimitsConfiguration: Sendable, Equatable {
    /// Larger request bodies get `413` (`limits.maxRequestBodyBytes`); 16 MiB.
    var maxRequestBodyBytes = 16_777_216
    /// Larger request heads get `431` (`limits.maxHeaderBytes`); 64 KiB.
    var maxHeaderBytes = 65_536
}
