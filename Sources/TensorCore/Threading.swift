import COpenBLAS
import Dispatch
import Synchronization

/// Thread settings: the OpenBLAS thread count and the split of large elementwise loops over cores.
///
/// Set both once, at start-up (the CLI's `--threads`). One level of parallelism at a time: when tasks run
/// in parallel over files, set both to 1.
public enum Threading {
    /// How many chunks large elementwise kernels are split into (default: the active processor count).
    private static let elementwiseThreadCount = Atomic<Int>(0)

    /// The minimum number of elements per chunk before an elementwise loop is split over threads.
    public static let parallelGrain = 1 << 15

    /// Sets the number of threads OpenBLAS uses for GEMMs (`openblas_set_num_threads`).
    /// - Parameter count: threads, `>= 1`.
    public static func setBLASThreads(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be >= 1, got \(count)")
        openblas_set_num_threads(Int32(count))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// A description of the OpenBLAS build (`openblas_get_config`) and its kernel (`openblas_get_corename`).
    public static var blasDescription: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return "\(config) (core \(core))"
    }

    /// Sets how many threads large elementwise kernels use.
    /// - Parameter count: threads, `>= 1`.
    public static func setElementwiseThreads(_ count: Int) {
        precondition(count >= 1, "Elementwise thread count must be >= 1, got \(count)")
        elementwiseThreadCount.store(count, ordering: .relaxed)
    }

    /// The number of threads large elementwise kernels use.
    public static var elementwiseThreads: Int {
        let n = elementwiseThreadCount.load(ordering: .relaxed)
        return n > 0 ? n : activeProcessorCount
    }

    /// The number of processors available to this process.
    public static var activeProcessorCount: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// Runs `body` with OpenBLAS restricted to `count` threads, then restores the previous count.
    ///
    /// Used by kernels that parallelize over rows themselves and call BLAS from each worker (one level of
    /// parallelism at a time: OpenBLAS worker threads would otherwise spin on the cores the row workers need).
    package static func withBLASThreads<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        let previous = blasThreads
        if previous == count { return try body() }
        openblas_set_num_threads(Int32(count))
        defer { openblas_set_num_threads(Int32(previous)) }
        return try body()
    }

    /// Runs `body(worker)` for `worker in 0..<workers` concurrently and returns when all are done.
    package static func forkJoin(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            let task = ForkJoinWorker(body: body)
            DispatchQueue.concurrentPerform(iterations: workers) { task.body($0) }
        }
    }

    /// Runs `task.run(worker: w)` for `w in 0..<workers` concurrently on persistent helper threads and returns
    /// when all are done; allocates nothing (falls back to libdispatch if another caller holds the pool).
    package static func forkJoin<T: ParallelTask>(_ workers: Int, task: T) {
        if workers <= 1 { task.run(worker: 0); return }
        if WorkerPool.shared.run(workers, task) { return }
        forkJoin(workers) { task.run(worker: $0) }
    }

    /// Splits `0..<count` into contiguous chunks and runs `body` on each, in parallel when `count` is large.
    ///
    /// Chunks are at least `grain` long; with one thread or a small `count` it runs `body(0..<count)` inline.
    /// - Parameters:
    ///   - count: the number of work items.
    ///   - grain: the minimum items per chunk.
    ///   - body: processes one chunk; must only write to its own chunk's outputs.
    package static func parallelFor(_ count: Int, grain: Int = parallelGrain, _ body: (Range<Int>) -> Void) {
        let threads = min(elementwiseThreads, count / max(grain, 1))
        if threads <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunk = (count + threads - 1) / threads
        forkJoin(threads) { i in
            let start = i * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }
}

/// Carries a non-`Sendable` worker body into `DispatchQueue.concurrentPerform` (the fallback of `forkJoin`).
///
/// Why `@unchecked Sendable` is sound here: `concurrentPerform` is fork-join (it returns only after every
/// iteration finished, so the closure never outlives `forkJoin`), and every caller writes only to the outputs
/// of its own worker index while inputs are read-only. With ``WorkerPool`` these are the only such types here.
private struct ForkJoinWorker: @unchecked Sendable {
    let body: (Int) -> Void
}

#if canImport(Glibc)
import Glibc
#endif
