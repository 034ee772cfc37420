import Foundation

/// Answers chat and text completions: one JSON reply, or Server-Sent Events when `"stream": true`.
///
/// Body fields steer tests: `n_chunks`, `chunk_interval_ms`, `response_bytes`, `abort_after_chunks`.
final class CompletionResponder {
    private let server: FakeServer
    private let exchange: FakeExchange
    private let model: FakeModel
    private let request: [String: Any]
    private var sent = 0
    private var timer: OneShotTimer?

    init(server: FakeServer, exchange: FakeExchange, model: FakeModel) {
        self.server = server
        self.exchange = exchange
        self.model = model
        self.request = (try? JSONSerialization.jsonObject(with: Data(exchange.body))) as? [String: Any] ?? [:]
    }

    private var modelName: String { request["model"] as? String ?? model.servedIDs[0] }
    private func int(_ key: String) -> Int? { (request[key] as? NSNumber)?.intValue }

    func respond() {
        if request["stream"] as? Bool == true { return startStream() }
        let size = int("response_bytes") ?? 0
        let content = size > 0 ? String(repeating: "x", count: size) : "Hello from the fake backend."
        exchange.reply(
            200,
            json: [
                "id": "cmpl-fake", "object": "chat.completion", "created": 1_700_000_000, "model": modelName,
                "choices": [
                    ["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]
                ],
                "usage": ["prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12],
            ]
        )
    }

    private func startStream() {
        exchange.startStream(contentType: "text/event-stream")
        exchange.onClientGone = { [self] in
            self.timer?.cancel()
            self.timer = nil
            self.server.stats.clientDisconnects += 1
        }
        scheduleNext()
    }

    private func scheduleNext() {
        let interval = int("chunk_interval_ms") ?? model.chunkIntervalMs ?? 0
        timer = OneShotTimer.start(base: server.base, milliseconds: max(interval, 0)) { [self] in self.tick() }
    }

    private func tick() {
        timer = nil
        guard exchange.request != nil else { return }
        let total = int("n_chunks") ?? model.streamChunks ?? 5
        if let abortAfter = int("abort_after_chunks"), sent >= abortAfter {
            exchange.abortStream()
            return
        }
        if sent >= total {
            exchange.sendChunk(Array("data: [DONE]\n\n".utf8))
            exchange.endStream()
            server.stats.streamsCompleted += 1
            return
        }
        let chunk: [String: Any] = [
            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": modelName,
            "choices": [["index": 0, "delta": ["content": "token-\(sent) "], "finish_reason": NSNull()]],
            "sent_ms": server.nowMs,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: chunk, options: [.sortedKeys])) ?? Data()
        exchange.sendChunk(Array("data: ".utf8) + Array(data) + Array("\n\n".utf8))
        sent += 1
        scheduleNext()
    }
}
