import DSP
import Dispatch
import Foundation
import Testing

/// FFTW's planner is not thread-safe: plans of both modes requested from many threads at once must be made one at a
/// time (two locks, one per mode, once let them overlap and corrupted the heap under parallel tests), and each must
/// still transform correctly.
@Suite struct RealFFTPlanningTests {
    @Test func plansOfBothModesMadeFromManyThreadsAtOnceAreCorrect() {
        // Sizes no other test plans, so every request here makes a new plan.
        let sizes = (0..<24).map { 1_000 + 2 * $0 }
        DispatchQueue.concurrentPerform(iterations: 2 * sizes.count) { i in
            _ = RealFFT.shared(size: sizes[i / 2], reproducible: i % 2 == 0)
        }
        for size in sizes {
            for reproducible in [false, true] {
                let fft = RealFFT.shared(size: size, reproducible: reproducible)
                let buffers = RealFFTBuffers(size: size)
                // x[n] = cos(2π·3n/N): bin 3 holds N/2, every other bin is 0.
                for n in 0..<size { buffers.real[n] = Float(cos(2 * Double.pi * 3 * Double(n) / Double(size))) }
                fft.forward(buffers)
                let bins = buffers.complexBuffer
                for k in 0..<fft.binCount {
                    let expected: Float = k == 3 ? Float(size) / 2 : 0
                    let tolerance = 1e-4 * Float(size)
                    #expect(abs(bins[2 * k] - expected) < tolerance && abs(bins[2 * k + 1]) < tolerance, "size \(size) bin \(k)")
                }
            }
        }
    }
}
