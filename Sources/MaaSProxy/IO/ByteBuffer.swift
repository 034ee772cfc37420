import Glibc

/// A growable byte queue: bytes are appended at the tail and consumed from the head, without a
/// copy until the unread part must move to make room. Loop-thread only, like its owner.
///
/// Connections keep one for input (bytes read and not yet parsed) and one for output (bytes not
/// yet written). An empty buffer gives its memory back (`releaseIfEmpty`), so an idle keep-alive
/// connection holds none: 1 000 idle connections cost their sockets, not 1 000 buffers.
final class ByteBuffer {
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    private var readIndex = 0
    private var writeIndex = 0

    init() {}

    deinit { free(storage) }

    var count: Int { writeIndex - readIndex }
    var isEmpty: Bool { writeIndex == readIndex }

    /// The unread bytes, valid until the next mutation.
    func withUnreadBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try body(UnsafeRawBufferPointer(start: storage.map { $0 + readIndex }, count: count))
    }

    /// Drops `count` bytes from the head.
    func consume(_ count: Int) {
        precondition(count <= self.count, "consumed more than the buffer holds")
        readIndex += count
        if readIndex == writeIndex {
            readIndex = 0
            writeIndex = 0
        }
    }

    func removeAll() {
        readIndex = 0
        writeIndex = 0
    }

    /// Frees the memory of an empty buffer.
    func releaseIfEmpty() {
        guard isEmpty, storage != nil else { return }
        free(storage)
        storage = nil
        capacity = 0
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count > 0, let source = bytes.baseAddress else { return }
        // A head is written in a dozen small appends: those that fit copy at once.
        if let storage, capacity - writeIndex >= count {
            (storage + writeIndex).copyMemory(from: source, byteCount: count)
            writeIndex += count
            return
        }
        let target = reserveTail(count)
        target.baseAddress!.copyMemory(from: source, byteCount: count)
        commitTail(count)
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    func append(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// At least `minimum` writable bytes after the unread ones (more when the buffer has room);
    /// fill some, then `commitTail` how many.
    func reserveTail(_ minimum: Int) -> UnsafeMutableRawBufferPointer {
        let minimum = max(minimum, 1)
        if capacity - writeIndex < minimum {
            if readIndex > 0 && capacity - count >= minimum {
                // Room enough once the unread bytes move to the front.
                if let storage { memmove(storage, storage + readIndex, count) }
            } else {
                let needed = count + minimum
                var grown = max(capacity * 2, 4096)
                while grown < needed { grown *= 2 }
                let fresh = malloc(grown)!
                if let storage {
                    fresh.copyMemory(from: storage + readIndex, byteCount: count)
                    free(storage)
                }
                storage = fresh
                capacity = grown
            }
            writeIndex = count
            readIndex = 0
        }
        return UnsafeMutableRawBufferPointer(start: storage! + writeIndex, count: capacity - writeIndex)
    }

    func commitTail(_ count: Int) {
        precondition(writeIndex + count <= capacity, "committed past the reserved room")
        writeIndex += count
    }
}
