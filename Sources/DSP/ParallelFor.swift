import Dispatch

/// Runs `body(worker, range)` over `0..<count` split into `workers` contiguous ranges, concurrently when `workers > 1`.
///
/// `body` must only touch memory that belongs to its range or its worker index.
package func parallelFor(count: Int, workers: Int, _ body: (Int, Range<Int>) -> Void) {
    let workers = max(1, min(workers, count))
    if workers == 1 {
        body(0, 0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = count * worker / workers, end = count * (worker + 1) / workers
            box.value(worker, start..<end)
        }
    }
}

/// Carries a value into `concurrentPerform`; the caller guarantees the workers touch disjoint memory.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
