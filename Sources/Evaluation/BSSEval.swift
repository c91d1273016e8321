import RealModule
import TensorCore

/// BSS-Eval v3 for a fixed set of references, exactly as `mir_eval.separation.bss_eval_sources` computes it.
///
/// An estimate `e` (length `n`, zero-padded by `L − 1` where `L` is ``filterLength``, 512 by default) is projected by
/// least squares onto the span of the delayed copies `s_i(t − d)`, `d` in `0..<L`, of all references (`P e`) and of
/// reference `j` alone (`P_j e`). Then, as mir_eval's `_bss_decomp_mtifilt` / `_bss_source_crit`:
/// `s_target + e_spat = P_j e`, `e_interf = P e − P_j e`, `e_artif = e − P e`, and
/// `SDR = ‖P_j e‖² / ‖e − P_j e‖²`, `SIR = ‖P_j e‖² / ‖P e − P_j e‖²`, `SAR = ‖P e‖² / ‖e − P e‖²` in dB.
///
/// The Gram matrix `G [(nsrc·L), (nsrc·L)]` of all delayed copies is block-Toeplitz: its entries are the references'
/// cross-correlations at lags `−(L−1)...(L−1)`, computed once by FFT. The normal equations `G c = D` are solved by
/// the block Levinson recursion (``BlockToeplitzSolver``, `O(L² nsrc³)`) instead of mir_eval's dense LU
/// (`O((L nsrc)³)`), falling back to a dense Cholesky factorisation if the recursion breaks down. The energies are
/// quadratic forms in `G` (`‖S c‖² = cᵀ G c`), which equal mir_eval's time-domain sums.
///
/// ```swift
/// let bss = try BSSEval(references: [s1, s2])
/// let result = try bss.evaluate(estimates: [e1, e2])   // result.sdr[j], result.permutation[j]
/// ```
public struct BSSEval: Sendable {
    /// Length of the distortion filter (taps); mir_eval uses 512.
    public let filterLength: Int
    /// Number of references.
    public let sourceCount: Int
    /// Samples per reference.
    public let length: Int

    /// How the normal equations are solved; the dense factorisation is the reference twin of the recursion.
    enum Method: Sendable { case levinson, cholesky }

    private let method: Method
    private let fft: ComplexFFT
    private let spectra: [Spectrum]
    /// `R(d)[i][j] = Σ_t s_i(t + d) s_j(t)` for `d` in `0..<L`: `[L, nsrc, nsrc]` row-major.
    private let lags: [Double]

    private struct Spectrum: Sendable {
        var real: [Double], imaginary: [Double]
    }

    /// Prepares the projections onto `references`.
    /// - Parameters:
    ///   - references: `[nsrc][n]` reference sources, non-silent, equally long.
    ///   - filterLength: distortion filter taps `L` (512 in mir_eval).
    ///   - item: the name used in error messages (an utterance id).
    /// - Throws: ``EvaluationError`` for no references, unequal lengths, a silent reference, or `filterLength < 1`.
    public init(references: [[Float]], filterLength: Int = 512, item: String = "BSS-Eval") throws(EvaluationError) {
        try self.init(references: references, filterLength: filterLength, item: item, method: .levinson)
    }

    init(references: [[Float]], filterLength: Int, item: String, method: Method) throws(EvaluationError) {
        guard let first = references.first, !first.isEmpty else { throw .emptyInput(what: "reference signals") }
        guard filterLength >= 1 else {
            throw .invalidParameter(name: "filter length", value: "\(filterLength)", reason: "must be at least 1")
        }
        for (j, reference) in references.enumerated() {
            guard reference.count == first.count else {
                throw .lengthMismatch(item: item, what: "reference \(j + 1)", expected: first.count, actual: reference.count)
            }
            guard reference.contains(where: { $0 != 0 }) else { throw .silentSignal(item: item, what: "reference \(j + 1)") }
        }
        let m = references.count, n = first.count, flen = filterLength
        self.filterLength = flen
        sourceCount = m
        length = n
        self.method = method
        let fft = ComplexFFT(count: ComplexFFT.size(atLeast: n + flen - 1))
        self.fft = fft
        let spectra = references.map { reference in
            let s = fft.spectrum(of: reference.map(Double.init))
            return Spectrum(real: s.real, imaginary: s.imaginary)
        }
        self.spectra = spectra
        var lags = [Double](repeating: 0, count: flen * m * m)
        for i in 0..<m {
            for j in i..<m {
                let r = fft.correlation((spectra[i].real, spectra[i].imaginary), (spectra[j].real, spectra[j].imaginary))
                for d in 0..<flen {
                    lags[d * m * m + i * m + j] = r[d]
                    lags[d * m * m + j * m + i] = r[d == 0 ? 0 : fft.count - d]  // R_ji(d) = R_ij(−d)
                }
            }
        }
        self.lags = lags
    }

    /// The criteria of one estimate against every reference.
    /// - Parameters:
    ///   - estimate: `[n]` samples, as long as the references, not all zero.
    ///   - item: names the estimate in error messages.
    /// - Returns: `[nsrc]`: element `j` holds the SDR, SIR and SAR of `estimate` taken as an estimate of reference `j`.
    /// - Throws: ``EvaluationError/lengthMismatch(item:what:expected:actual:)``, ``EvaluationError/silentSignal(item:what:)``,
    ///   ``EvaluationError/dependentReferences(item:)``.
    public func criteria(estimate: [Float], item: String = "BSS-Eval") throws(EvaluationError) -> [BSSEvalCriteria] {
        try criteria(estimates: [estimate], items: [item], references: item)[0]
    }

    /// All estimates against all references, matched as mir_eval's `bss_eval_sources` matches them.
    /// - Parameters:
    ///   - estimates: `[nsrc][n]`, one per reference.
    ///   - computePermutation: choose the matching that maximises the mean SIR (mir_eval's default); otherwise
    ///     estimate `j` is matched to reference `j`.
    ///   - item: names the set in error messages.
    /// - Returns: criteria per reference, with the permutation.
    /// - Throws: ``EvaluationError`` for a count or length mismatch, a silent estimate, or more than
    ///   ``SeparationMetrics/maximumSources`` sources.
    public func evaluate(estimates: [[Float]], computePermutation: Bool = true, item: String = "BSS-Eval") throws(EvaluationError) -> BSSEvalResult {
        guard estimates.count == sourceCount else {
            throw .sourceCountMismatch(item: item, estimates: estimates.count, references: sourceCount)
        }
        guard !computePermutation || sourceCount <= SeparationMetrics.maximumSources else {
            throw .tooManySources(item: item, count: sourceCount, maximum: SeparationMetrics.maximumSources)
        }
        let table = try criteria(estimates: estimates, items: estimates.indices.map { "\(item): estimate \($0 + 1)" }, references: item)
        return Self.matched(table, computePermutation: computePermutation)
    }

    /// The criteria of `table [estimate][reference]` per reference, matched by maximal mean SIR or in order.
    private static func matched(_ table: [[BSSEvalCriteria]], computePermutation: Bool) -> BSSEvalResult {
        let permutation = computePermutation ? Permutations.best(table.map { $0.map(\.sir) }).permutation : Array(table.indices)
        let matched = table.indices.map { table[permutation[$0]][$0] }
        return BSSEvalResult(sdr: matched.map(\.sdr), sir: matched.map(\.sir), sar: matched.map(\.sar), permutation: permutation)
    }

    /// The estimates' criteria (matched as ``evaluate(estimates:computePermutation:item:)``) and the mixture's, which
    /// is taken as the estimate of every reference (mir_eval's `bss_eval_sources(references, [mixture] * nsrc,
    /// compute_permutation=False)`, the input of an SDR improvement), solved together in one pass.
    /// - Parameters:
    ///   - estimates: `[nsrc][n]`.
    ///   - mixture: `[n]`.
    ///   - computePermutation: as in ``evaluate(estimates:computePermutation:item:)``.
    ///   - item: names the utterance in error messages.
    /// - Returns: `estimates`: criteria per reference with the permutation; `mixture`: criteria of the mixture per
    ///   reference (identity permutation).
    /// - Throws: as ``evaluate(estimates:computePermutation:item:)``.
    public func evaluate(
        estimates: [[Float]], mixture: [Float], computePermutation: Bool = true, item: String = "BSS-Eval"
    ) throws(EvaluationError) -> (estimates: BSSEvalResult, mixture: BSSEvalResult) {
        guard estimates.count == sourceCount else {
            throw .sourceCountMismatch(item: item, estimates: estimates.count, references: sourceCount)
        }
        guard !computePermutation || sourceCount <= SeparationMetrics.maximumSources else {
            throw .tooManySources(item: item, count: sourceCount, maximum: SeparationMetrics.maximumSources)
        }
        var table = try criteria(
            estimates: estimates + [mixture], items: estimates.indices.map { "\(item): estimate \($0 + 1)" } + ["\(item): mixture"],
            references: item)
        let input = table.removeLast()
        return (
            Self.matched(table, computePermutation: computePermutation),
            BSSEvalResult(sdr: input.map(\.sdr), sir: input.map(\.sir), sar: input.map(\.sar), permutation: Array(0..<sourceCount)))
    }

    /// `[estimate][reference]` criteria, solving the normal equations of all estimates together.
    private func criteria(estimates: [[Float]], items: [String], references item: String) throws(EvaluationError) -> [[BSSEvalCriteria]] {
        let flen = filterLength, m = sourceCount
        var energies: [Double] = [], products: [[Double]] = []
        for (e, estimate) in estimates.enumerated() {
            guard estimate.count == length else {
                throw .lengthMismatch(item: items[e], what: "the estimate", expected: length, actual: estimate.count)
            }
            guard estimate.contains(where: { $0 != 0 }) else { throw .silentSignal(item: items[e], what: "the estimate") }
            let signal = estimate.map(Double.init)
            energies.append(signal.reduce(0) { $0 + $1 * $1 })
            // D[(a, i)] = <s_i(· − a), e> = Σ_t e(t + a) s_i(t), ordered lag by lag.
            let spectrum = fft.spectrum(of: signal)
            var d = [Double](repeating: 0, count: flen * m)
            for i in 0..<m {
                let r = fft.correlation((spectrum.real, spectrum.imaginary), (spectra[i].real, spectra[i].imaginary))
                for a in 0..<flen { d[a * m + i] = r[a] }
            }
            products.append(d)
        }
        // The recursion, checked; then the dense factorisation; references whose Gram matrix defeats both are
        // (numerically) linearly dependent.
        for method in method == .levinson ? [Method.levinson, .cholesky] : [.cholesky] {
            if let table = criteria(products: products, energies: energies, method: method) { return table }
        }
        throw .dependentReferences(item: item)
    }

    /// The criteria from the correlations `products [estimate][L·m]` and energies `[estimate]`, or `nil` if the
    /// solver fails or gives energies that cannot be (non-finite, negative, or a projection larger than what it
    /// projects).
    private func criteria(products: [[Double]], energies: [Double], method: Method) -> [[BSSEvalCriteria]]? {
        let flen = filterLength, m = sourceCount
        guard let full = solve(products, lags: lags, blockSize: m, method: method) else { return nil }
        var own: [[[Double]]] = []  // [reference][estimate][L]
        for j in 0..<m {
            let ownLags = (0..<flen).map { lags[$0 * m * m + j * m + j] }
            let rhs = products.map { d in (0..<flen).map { d[$0 * m + j] } }
            guard let solution = solve(rhs, lags: ownLags, blockSize: 1, method: method) else { return nil }
            own.append(solution)
        }
        var table: [[BSSEvalCriteria]] = []
        for e in products.indices {
            let x = full[e], d = products[e], energy = energies[e]
            let gx = multiply(lags, x, blockSize: m)
            let fullEnergy = dot(x, gx)                              // ‖P e‖²
            let artifactEnergy = energy - 2 * dot(x, d) + fullEnergy // ‖e − P e‖²
            let slack = 1e-9 * energy
            guard fullEnergy.isFinite, fullEnergy >= -slack, artifactEnergy >= -slack, fullEnergy <= energy + slack else { return nil }
            var row: [BSSEvalCriteria] = []
            for j in 0..<m {
                let c = own[j][e]
                let ownLags = (0..<flen).map { lags[$0 * m * m + j * m + j] }
                let dj = (0..<flen).map { d[$0 * m + j] }, gxj = (0..<flen).map { gx[$0 * m + j] }
                let ownEnergy = dot(c, multiply(ownLags, c, blockSize: 1))      // ‖P_j e‖²
                let distortion = energy - 2 * dot(c, dj) + ownEnergy              // ‖e − P_j e‖²
                let interference = fullEnergy - 2 * dot(c, gxj) + ownEnergy       // ‖P e − P_j e‖²
                guard ownEnergy.isFinite, ownEnergy >= -slack, distortion >= -slack, interference >= -slack,
                      ownEnergy <= fullEnergy + slack
                else { return nil }
                row.append(BSSEvalCriteria(
                    sdr: Self.decibels(ownEnergy, distortion), sir: Self.decibels(ownEnergy, interference),
                    sar: Self.decibels(fullEnergy, artifactEnergy)))
            }
            table.append(row)
        }
        return table
    }

    /// Solutions of `T c = y` for the block-Toeplitz `T` of `lags` (`[L, m, m]`), each `[L·m]`: by the recursion,
    /// or by the dense factorisation; `nil` when the solver breaks down.
    private func solve(_ rightHandSides: [[Double]], lags: [Double], blockSize m: Int, method: Method) -> [[Double]]? {
        if method == .levinson { return BlockToeplitzSolver(lags: lags, blockSize: m).solve(rightHandSides) }
        let order = lags.count / m
        var dense = [Double](repeating: 0, count: order * order)
        let mm = m * m
        for a in 0..<order / m {
            for b in 0..<order / m {
                for i in 0..<m {
                    for j in 0..<m {
                        dense[(a * m + i) * order + b * m + j] = b >= a ? lags[(b - a) * mm + i * m + j] : lags[(a - b) * mm + j * m + i]
                    }
                }
            }
        }
        guard let factor = CholeskyFactor(dense, order: order) else { return nil }
        return rightHandSides.map(factor.solve)
    }

    /// `T x` for the block-Toeplitz `T` of `lags` (`[L, m, m]`), `[L·m]`.
    private func multiply(_ lags: [Double], _ x: [Double], blockSize m: Int) -> [Double] {
        let blocks = x.count / m, mm = m * m
        var y = [Double](repeating: 0, count: x.count)
        lags.withUnsafeBufferPointer { rBuffer in
            x.withUnsafeBufferPointer { xBuffer in
                y.withUnsafeMutableBufferPointer { yBuffer in
                    let r = rBuffer.baseAddress!, x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
                    var a = 0
                    while a < blocks {
                        var b = 0
                        while b < blocks {
                            // Block (a, b) is R(b − a), or R(a − b)ᵀ below the diagonal.
                            let upper = b >= a, lag = r + (upper ? b - a : a - b) * mm, xb = x + b * m
                            var i = 0
                            while i < m {
                                var s = 0.0, j = 0
                                while j < m {
                                    s += lag[upper ? i * m + j : j * m + i] * xb[j]
                                    j += 1
                                }
                                y[a * m + i] += s
                                i += 1
                            }
                            b += 1
                        }
                        a += 1
                    }
                }
            }
        }
        return y
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for k in a.indices { s += a[k] * b[k] }
        return s
    }

    /// `10 log10(num / den)`, `+infinity` for `den == 0` (mir_eval's `_safe_db`).
    private static func decibels(_ numerator: Double, _ denominator: Double) -> Double {
        denominator == 0 ? .infinity : 10 * Double.log10(numerator / denominator)
    }
}
