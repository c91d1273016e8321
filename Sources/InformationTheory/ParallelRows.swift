import Dispatch

/// Runs `body(range)` over `0..<count` split into `workers` contiguous ranges, concurrently when `workers > 1`.
///
/// `body` must write only to memory that belongs to its range.
func parallelRows(count: Int, workers: Int, _ body: (Range<Int>) -> Void) {
    let workers = max(1, min(workers, count / 64))
    if workers == 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = SendableBox(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            box.value(count * worker / workers..<count * (worker + 1) / workers)
        }
    }
}

/// Carries a closure or pointer into `concurrentPerform`; the caller guarantees the workers touch disjoint memory.
struct SendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
