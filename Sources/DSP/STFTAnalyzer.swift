/// Incremental STFT: takes a signal in blocks of any size and emits each frame's spectrum as soon as its last
/// sample has arrived. Feeding a whole signal then calling ``finish(_:)`` gives exactly librosa's frames.
///
/// Memory is bounded by `nFFT` plus the largest block pushed; nothing depends on the signal's length.
/// One analyzer belongs to one stream (it is not thread-safe); analyzers of the same size share one FFTW plan.
public final class STFTAnalyzer {
    /// The framing.
    public let configuration: STFTConfiguration
    /// Frames emitted since creation or the last ``reset()``.
    public private(set) var framesEmitted = 0
    private let fft: RealFFT
    private let buffers: RealFFTBuffers
    private let window: [Float]
    private var pending: [Float] = []
    private var start = 0

    /// - Throws: ``DSPError`` if the configuration is impossible.
    public init(_ configuration: STFTConfiguration = STFTConfiguration()) throws(DSPError) {
        try configuration.validate()
        self.configuration = configuration
        fft = RealFFT.shared(size: configuration.nFFT)
        buffers = RealFFTBuffers(size: configuration.nFFT)
        window = configuration.window.centered(length: configuration.windowLength, in: configuration.nFFT)
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
    ///   - emit: called once per frame, in order, with its spectrum as interleaved (re, im) pairs `[2 * binCount]`;
    ///     the buffer is valid only during the call.
    public func push(_ samples: [Float], _ emit: (UnsafeBufferPointer<Float>) -> Void) {
        pending.append(contentsOf: samples)
        emitReadyFrames(emit)
    }

    /// Ends the signal: pads it (when centered) and emits the last frames.
    public func finish(_ emit: (UnsafeBufferPointer<Float>) -> Void) {
        if configuration.center { pending.append(contentsOf: repeatElement(0, count: configuration.nFFT / 2)) }
        emitReadyFrames(emit)
    }

    private func emitReadyFrames(_ emit: (UnsafeBufferPointer<Float>) -> Void) {
        let n = configuration.nFFT
        let input = buffers.realBuffer
        let spectrum = UnsafeBufferPointer(buffers.complexBuffer)
        pending.withUnsafeBufferPointer { signal in
            window.withUnsafeBufferPointer { w in
                while start + n <= signal.count {
                    for i in 0..<n { input[i] = signal[start + i] * w[i] }
                    fft.forward(buffers)
                    emit(spectrum)
                    start += configuration.hopLength
                    framesEmitted += 1
                }
            }
        }
        let consumed = min(start, pending.count)
        pending.removeFirst(consumed)
        start -= consumed
    }
}
