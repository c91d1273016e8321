/// Incremental STFT: takes a signal in blocks of any size and emits each frame's spectrum as soon as its last
/// sample has arrived. Feeding a whole signal then calling ``finish(_:)`` gives exactly librosa's frames.
///
/// Frames that are ready together are transformed as a batch, split over `threads` workers when the batch is large
/// (long files); a live stream's few frames per block stay on the calling thread. Each worker transforms its frames
/// in chunks and hands every chunk of spectra to a per-frame consumer (``analyze(_:final:rowWidth:transform:emit:)``),
/// so that features are computed where the spectra are made, with one parallel section per batch. Memory is bounded by `nFFT` plus
/// the largest block pushed; nothing depends on the signal's length. One analyzer belongs to one stream; analyzers
/// of the same size share one FFTW plan.
public final class STFTAnalyzer {
    /// The framing.
    public let configuration: STFTConfiguration
    /// Workers used for large batches.
    public let threads: Int
    /// Frames emitted since creation or the last ``reset()``.
    public private(set) var framesEmitted = 0
    private let fft: RealFFT
    private let buffers: [RealFFTBuffers]
    private let window: [Float]
    private var pending: [Float] = []
    private var start = 0
    /// Per-worker spectra of one chunk, `[threads, chunkFrames, 2 * binCount]`.
    private var chunkSpectra: [Float]
    /// Output rows of one batch, `[batchFrames, rowWidth]`.
    private var rows: [Float] = []

    /// Most frames handled by one parallel section.
    static let batchFrames = 8192
    /// Frames a worker transforms before handing their spectra on.
    static let chunkFrames = 32
    /// The smallest batch worth splitting over threads.
    static let parallelThreshold = 512

    /// Consumes one chunk of spectra: `(worker, spectra [count, 2 * binCount], count, rows [count, rowWidth])`.
    /// Called concurrently from different workers; it must only write its `rows` and its worker's scratch.
    package typealias ChunkTransform = (Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void

    /// - Parameter threads: workers for large batches (1 = the calling thread only).
    /// - Throws: ``DSPError`` if the configuration is impossible.
    public init(_ configuration: STFTConfiguration = STFTConfiguration(), threads: Int = 1) throws(DSPError) {
        try configuration.validate()
        guard (1...256).contains(threads) else {
            throw .invalidParameter(name: "threads", value: "\(threads)", reason: "must be 1 to 256")
        }
        self.configuration = configuration
        self.threads = threads
        fft = RealFFT.shared(size: configuration.nFFT)
        buffers = (0..<threads).map { _ in RealFFTBuffers(size: configuration.nFFT) }
        window = configuration.window.centered(length: configuration.windowLength, in: configuration.nFFT)
        chunkSpectra = [Float](repeating: 0, count: threads * Self.chunkFrames * 2 * configuration.binCount)
        reset()
    }

    /// Forgets all input, as if newly created.
    public func reset() {
        pending.removeAll(keepingCapacity: true)
        if configuration.center { pending.append(contentsOf: repeatElement(0, count: configuration.nFFT / 2)) }
        start = 0
        framesEmitted = 0
    }

    /// Adds samples and emits every frame they complete.
    /// - Parameters:
    ///   - samples: the next block, `[n]` (any `n`, including 0).
    ///   - emit: called once per batch of consecutive frames with their spectra, `[count * 2 * binCount]`
    ///     (each frame's bins as interleaved re, im), and `count`; the buffer is valid only during the call.
    public func push(_ samples: [Float], _ emit: (UnsafeBufferPointer<Float>, Int) -> Void) {
        analyze(samples, final: false, rowWidth: 2 * configuration.binCount, transform: copySpectra, emit: emit)
    }

    /// Ends the signal: pads it (when centered) and emits the last frames.
    public func finish(_ emit: (UnsafeBufferPointer<Float>, Int) -> Void) {
        analyze([], final: true, rowWidth: 2 * configuration.binCount, transform: copySpectra, emit: emit)
    }

    private func copySpectra(_ worker: Int, _ spectra: UnsafePointer<Float>, _ count: Int, _ rows: UnsafeMutablePointer<Float>) {
        rows.update(from: spectra, count: count * 2 * configuration.binCount)
    }

    /// Adds samples (and, if `final`, the end padding), turns every completed frame's spectrum into a row of
    /// `rowWidth` values with `transform`, and emits the rows batch by batch, in order.
    /// - Parameters:
    ///   - samples: `[n]`.
    ///   - emit: `(rows [count * rowWidth], count)`, valid only during the call.
    package func analyze(
        _ samples: [Float], final: Bool, rowWidth: Int, transform: ChunkTransform,
        emit: (UnsafeBufferPointer<Float>, Int) -> Void
    ) {
        pending.append(contentsOf: samples)
        if final && configuration.center { pending.append(contentsOf: repeatElement(0, count: configuration.nFFT / 2)) }
        if rows.count < Self.batchFrames * rowWidth { rows = [Float](repeating: 0, count: Self.batchFrames * rowWidth) }
        let n = configuration.nFFT, hop = configuration.hopLength, width = 2 * configuration.binCount
        let chunkFrames = Self.chunkFrames
        while start + n <= pending.count {
            let count = min(Self.batchFrames, (pending.count - start - n) / hop + 1)
            let workers = count >= Self.parallelThreshold ? threads : 1
            let first = start
            pending.withUnsafeBufferPointer { signal in
                window.withUnsafeBufferPointer { w in
                    chunkSpectra.withUnsafeMutableBufferPointer { chunks in
                        rows.withUnsafeMutableBufferPointer { rows in
                            parallelFor(count: count, workers: workers) { worker, frames in
                                let scratch = buffers[worker]
                                let input = scratch.real, spectrum = UnsafePointer(scratch.complexBuffer.baseAddress!)
                                let w = w.baseAddress!, signal = signal.baseAddress!, rows = rows.baseAddress!
                                let chunk = chunks.baseAddress! + worker * chunkFrames * width
                                fft.withForward(scratch) { forward in
                                    for chunkStart in stride(from: frames.lowerBound, to: frames.upperBound, by: chunkFrames) {
                                        let chunkCount = min(chunkFrames, frames.upperBound - chunkStart)
                                        for j in 0..<chunkCount {
                                            let frameStart = signal + first + (chunkStart + j) * hop
                                            for i in 0..<n { input[i] = frameStart[i] * w[i] }
                                            forward()
                                            (chunk + j * width).update(from: spectrum, count: width)
                                        }
                                        transform(worker, chunk, chunkCount, rows + chunkStart * rowWidth)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            start += count * hop
            framesEmitted += count
            rows.withUnsafeBufferPointer { emit(UnsafeBufferPointer(rebasing: $0[0..<count * rowWidth]), count) }
        }
        let consumed = min(start, pending.count)
        pending.removeFirst(consumed)
        start -= consumed
    }
}
