import Glibc

/// Hands freed heap memory back to the kernel after the catalog dropped a large amount of it.
///
/// Why: glibc keeps freed memory in its arenas (one per thread that allocated: the file poller's
/// is not the workers'), so after a 20 000-model manifest is decoded and dropped the process's RSS
/// stays at its peak although the memory is free (issue 13 measured 251 MB → 243 MB after removal).
/// `malloc_trim(0)` releases the free pages of every arena. Glibc's `malloc.h` is not in Swift's
/// Glibc module, so the function is looked up once with `dlsym`; on a C library without it (musl)
/// this does nothing. Only called after a rebuild that read or dropped a big manifest (the file source)
/// or after a routing state that lost many models was freed (`ProxyContext.routing()`), so its cost
/// (a walk of the arenas, milliseconds) is paid rarely.
enum MemoryRelease {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
    }()

    /// Bytes of manifest read or dropped in one scan above which the scan trims the heap.
    static let threshold = 1 << 20

    /// Models fewer in a new routing state than in the one it replaces above which it trims too.
    static let modelThreshold = 1000

    /// Returns the free heap pages to the kernel; true when the C library did release some.
    @discardableResult
    static func trimHeap() -> Bool { (trim?(0) ?? 0) == 1 }
}
