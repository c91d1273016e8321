import CFFTW
import Synchronization

/// A real-input FFT of one size: forward (r2c) and inverse (c2r, unnormalized) FFTW plans.
///
/// Plans are made once per size by ``shared(size:)`` under a lock, because FFTW's planner is not thread-safe;
/// execution uses FFTW's new-array functions, which are. Callers pass their own 64-byte-aligned buffers from
/// ``RealFFTBuffers``, so one plan serves any number of threads.
///
/// `@unchecked Sendable`: the plans are immutable after creation and FFTW documents `fftwf_execute_dft_*` on
/// distinct arrays as thread-safe.
public final class RealFFT: @unchecked Sendable {
    /// Transform length (samples).
    public let size: Int
    /// Number of complex bins, `size / 2 + 1`.
    public var binCount: Int { size / 2 + 1 }
    private let forwardPlan: fftwf_plan
    private let inversePlan: fftwf_plan

    /// The plans made so far, by size and planning mode. One lock for both modes: FFTW's planner is not thread-safe,
    /// so no two plans may be made at once (two locks, one per mode, let an estimated and a measured plan be made
    /// together, which corrupted the heap under parallel tests).
    private static let cache = Mutex<[PlanKey: RealFFT]>([:])

    private struct PlanKey: Hashable {
        var size: Int
        var reproducible: Bool
    }

    /// The plans for `size`, made on first use and kept for the life of the process.
    /// - Parameters:
    ///   - size: the transform length (samples).
    ///   - reproducible: plan by FFTW's estimate instead of by timing candidate algorithms (`FFTW_MEASURE`, the
    ///     default), so that every process on this machine picks the same algorithm and rounds identically: for
    ///     training data that a resumed run must redraw bit for bit. Measured plans may differ from one process
    ///     to the next.
    public static func shared(size: Int, reproducible: Bool = false) -> RealFFT {
        precondition(size > 0)
        let key = PlanKey(size: size, reproducible: reproducible)
        return cache.withLock { plans in
            if let fft = plans[key] { return fft }
            let fft = RealFFT(size: size, flags: reproducible ? FFTW_ESTIMATE : FFTW_MEASURE)
            plans[key] = fft
            return fft
        }
    }

    private init(size: Int, flags: UInt32) {
        self.size = size
        let buffers = RealFFTBuffers(size: size)
        // FFTW_MEASURE overwrites the arrays while planning: they are scratch here.
        forwardPlan = fftwf_plan_dft_r2c_1d(Int32(size), buffers.real, buffers.complex, flags)
        inversePlan = fftwf_plan_dft_c2r_1d(Int32(size), buffers.complex, buffers.real, flags)
    }

    /// `buffers.complex [binCount]` = DFT of `buffers.real [size]`.
    package func forward(_ buffers: RealFFTBuffers) {
        precondition(buffers.size == size)
        fftwf_execute_dft_r2c(forwardPlan, buffers.real, buffers.complex)
    }

    /// Runs `body` with a function that transforms `buffers.real` into `buffers.complex`, for hot loops: the plan
    /// and pointers are taken once, so a call costs no reference counting.
    package func withForward<R>(_ buffers: RealFFTBuffers, _ body: (() -> Void) -> R) -> R {
        precondition(buffers.size == size)
        let plan = forwardPlan, real = buffers.real, complex = buffers.complex
        return withExtendedLifetime((self, buffers)) { body { fftwf_execute_dft_r2c(plan, real, complex) } }
    }

    /// `buffers.real [size]` = size x inverse DFT of `buffers.complex [binCount]` (FFTW's unnormalized c2r;
    /// `buffers.complex` is destroyed).
    package func inverse(_ buffers: RealFFTBuffers) {
        precondition(buffers.size == size)
        fftwf_execute_dft_c2r(inversePlan, buffers.complex, buffers.real)
    }
}

/// Aligned scratch for one ``RealFFT`` call: `real [size]` and `complex [size/2 + 1]` (interleaved re, im).
/// Owned by one thread at a time.
package final class RealFFTBuffers {
    package let size: Int
    package let real: UnsafeMutablePointer<Float>
    package let complex: UnsafeMutablePointer<fftwf_complex>

    package init(size: Int) {
        self.size = size
        real = fftwf_alloc_real(size)
        real.initialize(repeating: 0, count: size)
        complex = fftwf_alloc_complex(size / 2 + 1)
        complex.initialize(repeating: (0, 0), count: size / 2 + 1)
    }

    deinit {
        fftwf_free(real)
        fftwf_free(complex)
    }

    /// The real samples as a buffer, `[size]`.
    package var realBuffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: real, count: size) }

    /// The complex bins as interleaved floats, `[2 * (size/2 + 1)]`.
    package var complexBuffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableRawPointer(complex).withMemoryRebound(to: Float.self, capacity: 2 * (size / 2 + 1)) {
            UnsafeMutableBufferPointer(start: $0, count: 2 * (size / 2 + 1))
        }
    }
}
