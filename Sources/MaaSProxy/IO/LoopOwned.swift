/// Carries a loop-thread-only object through `EventLoop.execute` to the same loop's next turn
/// (freeing a connection after its own callback returned). Never read on another thread.
struct LoopOwned<Object: AnyObject>: @unchecked Sendable {
    let object: Object

    init(_ object: Object) { self.object = object }
}
