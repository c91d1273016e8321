import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Thread settings: how many threads large GEMMs and elementwise loops are split over. All of them run on one
/// persistent ``WorkerPool`` (OpenBLAS stays single-threaded), so there is one level of parallelism at a time.
///
/// Set both once, at start-up (the CLI's `--threads`). When tasks run in parallel over files, set both to 1.
public enum Threading {
    /// How many chunks large elementwise kernels are split into (default: the active processor count).
    private static let elementwiseThreadCount = Atomic<Int>(0)

    /// The minimum number of elements per chunk before an elementwise loop is split over threads.
    public static let parallelGrain = 1 << 15

    /// How many threads a large GEMM is split over (0: not set, use the processor count).
    private static let gemmThreadCount = Atomic<Int>(0)

    /// The minimum multiply-adds of a GEMM before it is split over threads.
    static let gemmParallelGrain = 1 << 21

    /// Sets every pool at once: the threads GEMMs use (``setBLASThreads(_:)``) and the threads element-wise loops use
    /// (``setElementwiseThreads(_:)``). The one call a program's `--threads` makes.
    /// - Parameter count: threads, `>= 1`.
    public static func setThreads(_ count: Int) {
        setBLASThreads(count)
        setElementwiseThreads(count)
    }

    /// Sets the number of threads GEMMs use, and keeps OpenBLAS itself single-threaded.
    ///
    /// Large GEMMs are split into panels over the engine's persistent worker pool (``BLAS``), so OpenBLAS
    /// worker threads never spin (`sched_yield`) on the cores the elementwise and conv kernels need. Also
    /// tunes the allocator for big tensors (``configureAllocator()``).
    /// - Parameter count: threads, `>= 1`.
    public static func setBLASThreads(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be >= 1, got \(count)")
        openblas_set_num_threads(1)
        gemmThreadCount.store(count, ordering: .relaxed)
        configureAllocator()
    }

    /// The number of threads GEMMs use.
    public static var blasThreads: Int {
        let n = gemmThreadCount.load(ordering: .relaxed)
        return n > 0 ? n : activeProcessorCount
    }

    /// How many panels a GEMM of this size is split into (1 inside a parallel region or for small GEMMs).
    static func gemmWorkers(m: Int, n: Int, k: Int) -> Int {
        _ = openBLASSingleThreaded
        let threads = blasThreads
        if threads <= 1 || WorkerPool.shared.isBusy { return 1 }
        let work = m * n * Swift.max(k, 1)
        if work < gemmParallelGrain { return 1 }
        return Swift.max(1, Swift.min(threads, Swift.max(m, n) / 16, work / gemmParallelGrain))
    }

    /// Keeps freed tensor buffers in the heap instead of returning them to the kernel: glibc otherwise serves
    /// every buffer above its mmap threshold with a fresh `mmap` (page faults on first touch, `munmap` on free).
    /// Idempotent; called by ``setBLASThreads(_:)``.
    public static func configureAllocator() {
        #if canImport(Glibc)
        _ = allocatorConfigured
        #endif
    }

    /// Makes OpenBLAS single-threaded once, for processes that never call ``setBLASThreads(_:)`` (tests, library
    /// users): the engine splits GEMMs itself.
    private static let openBLASSingleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    #if canImport(Glibc)
    private static let allocatorConfigured: Bool = {
        // `mallopt` is declared in <malloc.h>, which the Glibc module does not export: look it up instead.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let (trimThreshold, topPad, mmapThreshold): (Int32, Int32, Int32) = (-1, -2, -3)   // M_* in <malloc.h>
        _ = mallopt(mmapThreshold, 32 << 20)       // the largest value glibc accepts on 64-bit
        _ = mallopt(trimThreshold, -1)                  // never trim the heap top
        _ = mallopt(topPad, 64 << 20)
        return true
    }()
    #endif

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

    /// Runs `body(worker)` for `worker in 0..<workers` concurrently and returns when all are done
    /// (on the persistent worker pool; one after the other when the pool is already busy, i.e. when called
    /// from inside a parallel region, so the cores are never oversubscribed).
    package static func forkJoin(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            forkJoin(workers, task: ForkJoinWorker(body: body))
        }
    }

    /// Runs `task.run(worker: w)` for `w in 0..<workers` concurrently on persistent helper threads and returns
    /// when all are done; allocates nothing. When another caller holds the pool (nested parallelism), the
    /// workers run one after the other on the calling thread.
    package static func forkJoin<T: ParallelTask>(_ workers: Int, task: T) {
        if workers <= 1 { task.run(worker: 0); return }
        if WorkerPool.shared.run(workers, task) { return }
        for w in 0..<workers { task.run(worker: w) }
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

/// Carries a closure worker body onto the ``WorkerPool``.
///
/// The pool is fork-join (it returns only after every worker finished, so the closure never outlives
/// `forkJoin`), and every caller writes only to the outputs of its own worker index while inputs are read-only.
private struct ForkJoinWorker: ParallelTask {
    let body: (Int) -> Void
    func run(worker: Int) { body(worker) }
}

#if canImport(Glibc)
import Glibc
#endif
