@testable import Evaluation
import Testing
import TestSupport

@Suite struct BlockToeplitzSolverTests {
    /// The dense matrix of block-Toeplitz `lags [p, m, m]`: block `(a, b)` is `R(b − a)`, `R(−d) = R(d)ᵀ`.
    func dense(_ lags: [Double], m: Int) -> [Double] {
        let p = lags.count / (m * m), order = p * m
        var g = [Double](repeating: 0, count: order * order)
        for a in 0..<p { for b in 0..<p { for i in 0..<m { for j in 0..<m {
            g[(a * m + i) * order + b * m + j] = b >= a ? lags[(b - a) * m * m + i * m + j] : lags[(a - b) * m * m + j * m + i]
        } } } }
        return g
    }

    @Test(arguments: [1, 2, 3]) func levinsonEqualsDenseCholesky(m: Int) throws {
        // Lags of the cross-correlations of m random signals: a positive-definite block-Toeplitz Gram matrix.
        let p = 24, n = 200
        let signals = (0..<m).map { TensorAssertions.randomValues(n, seed: UInt64(10 + $0)).map(Double.init) }
        var lags = [Double](repeating: 0, count: p * m * m)
        for d in 0..<p { for i in 0..<m { for j in 0..<m {
            for t in 0..<(n - d) { lags[d * m * m + i * m + j] += signals[i][t + d] * signals[j][t] }
        } } }
        let rhs = (0..<3).map { TensorAssertions.randomValues(p * m, seed: UInt64(20 + $0)).map(Double.init) }
        let fast = try #require(BlockToeplitzSolver(lags: lags, blockSize: m).solve(rhs))
        let factor = try #require(CholeskyFactor(dense(lags, m: m), order: p * m))
        for (x, y) in zip(fast, rhs.map(factor.solve)) {
            let error = zip(x, y).map { abs($0 - $1) }.max()!, scale = y.map(abs).max()!
            #expect(error <= 1e-10 * scale, "max error \(error)")
        }
        #expect(BlockToeplitzSolver(lags: [Double](repeating: 0, count: p * m * m), blockSize: m).solve(rhs) == nil)
    }

    @Test func bssEvalGivesTheSameCriteriaWithEitherSolver() throws {
        let (_, references, estimates, mixture) = try ReferenceCase.load("speech2")
        let short = { (x: [Float]) in Array(x.prefix(3_000)) }
        let levinson = try BSSEval(references: references.map(short), filterLength: 128, item: "speech2", method: .levinson)
        let cholesky = try BSSEval(references: references.map(short), filterLength: 128, item: "speech2", method: .cholesky)
        let a = try levinson.evaluate(estimates: estimates.map(short), mixture: short(mixture))
        let b = try cholesky.evaluate(estimates: estimates.map(short), mixture: short(mixture))
        #expect(a.estimates.permutation == b.estimates.permutation)
        for (x, y) in [(a.estimates, b.estimates), (a.mixture, b.mixture)] {
            expectClose(x.sdr, y.sdr, tolerance: 1e-8, "SDR")
            expectClose(x.sir, y.sir, tolerance: 1e-8, "SIR")
            expectClose(x.sar, y.sar, tolerance: 1e-8, "SAR")
        }
    }

    @Test func fftCorrelationEqualsDirectSums() {
        let fft = ComplexFFT(count: 16)
        let a: [Double] = [1, 2, 3, -1, 0.5], b: [Double] = [0.25, -2, 1, 4]
        let r = fft.correlation(fft.spectrum(of: a), fft.spectrum(of: b))
        for k in -3...4 {
            var direct = 0.0
            for t in b.indices where a.indices.contains(t + k) { direct += a[t + k] * b[t] }
            #expect(abs(r[k >= 0 ? k : 16 + k] - direct) < 1e-12, "lag \(k)")
        }
    }
}
