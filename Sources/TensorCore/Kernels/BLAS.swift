import COpenBLAS

/// Thin, shape-checked wrappers over OpenBLAS (row-major CBLAS).
///
/// OpenBLAS itself runs single-threaded (see ``Threading/setBLASThreads(_:)``): large GEMMs are split into
/// row or column panels over the engine's persistent ``WorkerPool``, so GEMMs, elementwise kernels and the
/// conv kernels share one set of threads that sleep (instead of spinning in `sched_yield`) between jobs.
package enum BLAS {
    /// `C = alpha · op(A) · op(B) + beta · C`, row-major.
    ///
    /// Shapes: `op(A)` is `[m, k]` (A stored `[m, k]`, or `[k, m]` when `transA`), `op(B)` is `[k, n]`
    /// (B stored `[k, n]`, or `[n, k]` when `transB`), `C` is `[m, n]`. Transposed operands are read in place.
    /// Leading dimensions default to the contiguous row lengths.
    package static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
        if m == 0 || n == 0 { return }
        let lda = lda ?? (transA ? m : k)
        let ldb = ldb ?? (transB ? k : n)
        let ldc = ldc ?? n
        precondition(lda >= max(1, transA ? m : k) && ldb >= max(1, transB ? k : n) && ldc >= max(1, n),
                     "sgemm: leading dimension too small")
        let task = GEMMTask(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                            beta: beta, c: c, ldc: ldc, splitRows: m >= n, workers: 1)
        let workers = Threading.gemmWorkers(m: m, n: n, k: k)
        if workers <= 1 {
            task.call(rows: 0..<m, columns: 0..<n)
        } else {
            var split = task
            split.workers = workers
            Threading.forkJoin(workers, task: split)
        }
    }

    /// One GEMM, split into `workers` row (or column) panels of `C`.
    private struct GEMMTask: ParallelTask {
        let transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float
        let a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int
        let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
        let splitRows: Bool
        var workers: Int

        func run(worker: Int) {
            let size = splitRows ? m : n
            // Panels are multiples of 16 rows/columns (the GEMM kernels' register blocking).
            let panel = ((size + workers - 1) / workers + 15) & ~15
            let lo = Swift.min(size, worker * panel), hi = Swift.min(size, lo + panel)
            if lo >= hi { return }
            if splitRows { call(rows: lo..<hi, columns: 0..<n) } else { call(rows: 0..<m, columns: lo..<hi) }
        }

        /// `C[rows, columns] = alpha · op(A)[rows, :] · op(B)[:, columns] + beta · C[rows, columns]` on this thread.
        func call(rows: Range<Int>, columns: Range<Int>) {
            let pa = transA ? a + rows.lowerBound : a + rows.lowerBound * lda
            let pb = transB ? b + columns.lowerBound * ldb : b + columns.lowerBound
            cblas_sgemm(
                CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(rows.count), Int32(columns.count), Int32(k), alpha, pa, Int32(lda), pb, Int32(ldb), beta,
                c + rows.lowerBound * ldc + columns.lowerBound, Int32(ldc))
        }
    }
}
