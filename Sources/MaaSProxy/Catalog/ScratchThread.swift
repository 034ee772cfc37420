import Foundation

/// Runs one piece of work on a new thread and waits for its result.
///
/// Why (issue 13's catalog memory): glibc gives each thread its own malloc arena, and a thread
/// created after others exited takes one of their arenas. Decoding a large manifest allocates a
/// YAML node tree of ~100 MB in small pieces; on a scratch thread those land in an arena where
/// nothing long-lived is allocated, so once the tree is freed the whole arena is free and
/// `MemoryRelease.trimHeap()` returns it. Decoded on the poller thread, the models it keeps are
/// interleaved with the tree's nodes and pin its pages. The result must not hold small
/// allocations the caller keeps: `CompactManifest` is three flat arrays.
enum ScratchThread {
    /// Runs `work` on a fresh thread; returns its result on the calling thread.
    static func run<Result: Sendable>(name: String, _ work: @escaping @Sendable () -> Result) -> Result {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<Result>()
        let thread = Thread {
            box.value = work()
            done.signal()
        }
        thread.name = name
        // The default 512 KiB is plenty for the decoder, but deep YAML recurses: match the main thread.
        thread.stackSize = 8 << 20
        thread.start()
        done.wait()
        guard let value = box.value else { preconditionFailure("scratch thread ended without a result") }
        return value
    }

    /// Handed from the scratch thread to the waiting one; the semaphore orders the accesses.
    private final class ResultBox<Value>: @unchecked Sendable {
        var value: Value?
    }
}
