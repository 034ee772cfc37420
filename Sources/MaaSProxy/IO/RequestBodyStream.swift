import HTTP1

/// A request body that streams on as it arrives (SPEC 5.3: a path-routed body goes upstream as it
/// comes, memory bounded whatever its size). Loop-thread only.
///
/// The client connection produces (`deliver`, `finish`, `fail`); one consumer takes the bytes
/// (`start`): a relay writing them upstream. Until the consumer starts (admission may take a
/// probe), up to `maxPendingBytes` wait here; beyond that, or while the consumer has paused, the
/// connection stops reading the client (`wantsMore`).
final class RequestBodyStream {
    enum Event {
        /// Payload bytes, valid only during the call.
        case data(UnsafeRawBufferPointer)
        case end
        /// The body broke off (bad framing, the client gone, its deadline passed).
        case failed
    }

    /// How the body is framed upstream: with the client's length, or chunked.
    enum Framing: Equatable {
        case length(Int)
        case chunked
    }

    /// Bytes held for a consumer that has not started yet, or has paused.
    static let maxPendingBytes = 256 * 1024

    let framing: Framing
    /// Payload bytes received so far (the access line's `bytesIn`).
    private(set) var received = 0
    private(set) var isComplete = false
    private(set) var hasFailed = false
    private let pending = ByteBuffer()
    private var consumer: ((Event) -> Void)?
    private var paused = false
    /// Called when the stream wants bytes again after it said it had enough.
    var onWantsMore: (() -> Void)?
    /// Called once, when the consumer starts (an `Expect: 100-continue` is answered then).
    var onStart: (() -> Void)?

    init(framing: BodyFraming) {
        if case .length(let length) = framing {
            self.framing = .length(length)
        } else {
            self.framing = .chunked
        }
    }

    /// False while the bytes already here are enough: the connection stops reading the client.
    var wantsMore: Bool {
        guard !isComplete, !hasFailed else { return false }
        if consumer == nil || paused { return pending.count < RequestBodyStream.maxPendingBytes }
        return true
    }

    var isEnded: Bool { isComplete || hasFailed }

    // MARK: The client connection's side

    func deliver(_ bytes: UnsafeRawBufferPointer) {
        guard !isEnded, bytes.count > 0 else { return }
        received += bytes.count
        if let consumer, !paused, pending.isEmpty {
            consumer(.data(bytes))
        } else {
            pending.append(bytes)
        }
    }

    func finish() {
        guard !isEnded else { return }
        isComplete = true
        if let consumer, !paused, pending.isEmpty {
            self.consumer = nil
            consumer(.end)
        }
    }

    func fail() {
        guard !isEnded else { return }
        hasFailed = true
        pending.removeAll()
        let consumer = self.consumer
        self.consumer = nil
        consumer?(.failed)
    }

    // MARK: The consumer's side

    /// Hands over what is here, then every byte as it arrives, then the end (or the failure).
    func start(_ consumer: @escaping (Event) -> Void) {
        guard self.consumer == nil else { return }
        if hasFailed { return consumer(.failed) }
        self.consumer = consumer
        let onStart = self.onStart
        self.onStart = nil
        onStart?()
        drainPending()
        // The connection may have stopped reading while the bytes waited for a consumer.
        if wantsMore { onWantsMore?() }
    }

    /// Holds bytes back until `resume` (the upstream socket is full).
    func pause() { paused = true }

    func resume() {
        guard paused else { return }
        paused = false
        drainPending()
        if wantsMore { onWantsMore?() }
    }

    /// Reads the whole body into memory, up to `limit` bytes (a body-routed request after all).
    func collect(limit: Int, completion: @escaping ([UInt8]?) -> Void) {
        var body: [UInt8] = []
        var done = false
        start { [weak self] event in
            guard !done else { return }
            switch event {
            case .data(let bytes):
                if body.count + bytes.count > limit {
                    done = true
                    self?.fail()
                    return completion(nil)
                }
                body.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
            case .end:
                done = true
                completion(body)
            case .failed:
                done = true
                completion(nil)
            }
        }
    }

    private func drainPending() {
        guard let consumer else { return }
        while !pending.isEmpty, !paused {
            let count = pending.count
            pending.withUnreadBytes { consumer(.data($0)) }
            // The consumer may have failed the stream (which empties `pending`) or paused it.
            if pending.count == count { pending.consume(count) }
        }
        if pending.isEmpty { pending.releaseIfEmpty() }
        if !paused, pending.isEmpty, isComplete, self.consumer != nil {
            self.consumer = nil
            consumer(.end)
        }
    }
}
