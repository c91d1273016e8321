extension Threading {
    /// Runs `body(arguments, lo, hi)` over contiguous chunks `lo..<hi` of `0..<count` on the worker pool when the
    /// whole job is large (`work`: about how many elements it touches), else once inline. Pass everything the body
    /// needs through `arguments` and capture nothing, and the call allocates nothing.
    /// - Parameters:
    ///   - count: rows (or any independent items).
    ///   - work: the job's size, compared with ``parallelGrain``.
    ///   - arguments: pointers and sizes for `body`.
    ///   - body: processes one chunk; must write only that chunk's outputs.
    package static func rows<Arguments>(
        _ count: Int, work: Int, _ arguments: Arguments, _ body: (Arguments, Int, Int) -> Void
    ) {
        guard count > 0 else { return }
        let workers = Swift.max(1, Swift.min(elementwiseThreads, count, work / parallelGrain))
        if workers == 1 { body(arguments, 0, count); return }
        withoutActuallyEscaping(body) { body in
            forkJoin(workers, task: RowChunks(arguments: arguments, count: count, perWorker: (count + workers - 1) / workers, body: body))
        }
    }
}

/// One worker's chunk of ``Threading/rows(_:work:_:_:)``.
private struct RowChunks<Arguments>: ParallelTask {
    let arguments: Arguments, count: Int, perWorker: Int
    let body: (Arguments, Int, Int) -> Void

    func run(worker: Int) {
        let lo = worker * perWorker, hi = Swift.min(count, lo + perWorker)
        if lo < hi { body(arguments, lo, hi) }
    }
}
