import Dispatch
import Synchronization

/// `body(0..<count)` computed by `workers` threads, results in index order. The first error thrown is rethrown.
/// Corpus builders use it to keep several `espeak-ng` processes busy at once.
func parallelMap<T: Sendable>(count: Int, workers: Int, _ body: @Sendable (Int) throws -> T) throws -> [T] {
    let results = Mutex<[Int: Result<T, any Error>]>([:])
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
        while true {
            let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            let result = Result { try body(i) }
            results.withLock { $0[i] = result }
        }
    }
    return try results.withLock { r in try (0..<count).map { try r[$0]!.get() } }
}
