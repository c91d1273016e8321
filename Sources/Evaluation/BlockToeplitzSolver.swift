/// Solves `T x = y` for a symmetric positive-definite block-Toeplitz matrix by the block Levinson recursion
/// (Whittle / Wiggins–Robinson), in `Double`.
///
/// `T` has `p × p` blocks of size `m × m`; block `(a, b)` is `R(b − a)`, with `R(−d) = R(d)ᵀ`. Vectors are ordered
/// block by block: element `a·m + i`. The recursion costs `O(p² m³)` once plus `O(p² m²)` per right-hand side,
/// against `O((p m)³)` for a dense factorisation; BSS-Eval's Gram matrix (`p = 512` lags, `m` sources) is such a
/// matrix. ``CholeskyFactor`` on the dense matrix is the reference twin the tests compare it with.
struct BlockToeplitzSolver {
    /// Blocks along each side (`p`).
    let blockCount: Int
    /// Block size (`m`).
    let blockSize: Int
    /// `R(d)` for `d` in `0..<p`, each row-major `m × m`: `lags[d·m·m + i·m + j] = R(d)[i][j]`.
    private let lags: [Double]

    /// - Parameters:
    ///   - lags: `[p, m, m]` row-major: `R(0), R(1), …, R(p−1)`.
    ///   - blockSize: `m`.
    init(lags: [Double], blockSize: Int) {
        precondition(blockSize > 0 && lags.count % (blockSize * blockSize) == 0 && !lags.isEmpty)
        self.lags = lags
        self.blockSize = blockSize
        blockCount = lags.count / (blockSize * blockSize)
    }

    /// The solutions of `T x = y` for every right-hand side, in one pass of the recursion.
    /// - Parameter rightHandSides: `[r][p·m]`.
    /// - Returns: `[r][p·m]`, or `nil` when a leading block minor is singular or the numbers stop being finite
    ///   (then `T` is not numerically positive definite; use ``CholeskyFactor``).
    func solve(_ rightHandSides: [[Double]]) -> [[Double]]? {
        let m = blockSize, p = blockCount, mm = m * m, count = rightHandSides.count
        precondition(rightHandSides.allSatisfy { $0.count == p * m })
        guard let r0Inverse = Self.inverse(Array(lags[0..<mm]), m) else { return nil }
        // Forward and backward block columns f[k], b[k] (m × m each, k in 0..<n) and the solutions x[s][k] (m each),
        // in flat buffers walked with raw pointers: these loops are also what the debug-built tests spend time on.
        var f = [Double](repeating: 0, count: p * mm), b = f, nextF = f, nextB = f
        for e in 0..<mm { f[e] = r0Inverse[e]; b[e] = r0Inverse[e] }
        var y = [Double](), x = [Double](repeating: 0, count: count * p * m)
        for rhs in rightHandSides { y += rhs }
        for s in 0..<count {
            for i in 0..<m { for j in 0..<m { x[s * p * m + i] += r0Inverse[i * m + j] * y[s * p * m + j] } }
        }
        var epsilonF = [Double](repeating: 0, count: mm), epsilonB = epsilonF
        var residual = [Double](repeating: 0, count: m)
        var n = 1
        while n < p {
            // ε_f = Σ_{k<n} R(k − n) f[k] = Σ R(n − k)ᵀ f[k];  ε_b = Σ_{k=1...n} R(k) b[k − 1].
            lags.withUnsafeBufferPointer { rBuffer in
                f.withUnsafeBufferPointer { fBuffer in
                    b.withUnsafeBufferPointer { bBuffer in
                        epsilonF.withUnsafeMutableBufferPointer { efBuffer in
                            epsilonB.withUnsafeMutableBufferPointer { ebBuffer in
                                let r = rBuffer.baseAddress!, f = fBuffer.baseAddress!, b = bBuffer.baseAddress!
                                let ef = efBuffer.baseAddress!, eb = ebBuffer.baseAddress!
                                ef.update(repeating: 0, count: mm)
                                eb.update(repeating: 0, count: mm)
                                var k = 0
                                while k < n {
                                    let lagF = r + (n - k) * mm, fk = f + k * mm, lagB = r + (k + 1) * mm, bk = b + k * mm
                                    var i = 0
                                    while i < m {
                                        var j = 0
                                        while j < m {
                                            var sf = 0.0, sb = 0.0, l = 0
                                            while l < m {
                                                sf += lagF[l * m + i] * fk[l * m + j]
                                                sb += lagB[i * m + l] * bk[l * m + j]
                                                l += 1
                                            }
                                            ef[i * m + j] += sf
                                            eb[i * m + j] += sb
                                            j += 1
                                        }
                                        i += 1
                                    }
                                    k += 1
                                }
                            }
                        }
                    }
                }
            }
            // A = (I − ε_b ε_f)⁻¹, B = −ε_f A;  D = (I − ε_f ε_b)⁻¹, C = −ε_b D.
            guard let a = Self.inverse(Self.identityMinusProduct(epsilonB, epsilonF, m), m),
                  let d = Self.inverse(Self.identityMinusProduct(epsilonF, epsilonB, m), m)
            else { return nil }
            let bb = Self.negatedProduct(epsilonF, a, m), c = Self.negatedProduct(epsilonB, d, m)
            // f'[k] = f[k] A + b[k−1] B;  b'[k] = f[k] C + b[k−1] D  (f[n] = 0, b[−1] = 0).
            f.withUnsafeBufferPointer { fBuffer in
                b.withUnsafeBufferPointer { bBuffer in
                    nextF.withUnsafeMutableBufferPointer { nfBuffer in
                        nextB.withUnsafeMutableBufferPointer { nbBuffer in
                            let f = fBuffer.baseAddress!, b = bBuffer.baseAddress!
                            let nf = nfBuffer.baseAddress!, nb = nbBuffer.baseAddress!
                            var k = 0
                            while k <= n {
                                let o = k * mm
                                var i = 0
                                while i < m {
                                    var j = 0
                                    while j < m {
                                        var sf = 0.0, sb = 0.0, l = 0
                                        if k < n {
                                            while l < m {
                                                let v = f[o + i * m + l]
                                                sf += v * a[l * m + j]
                                                sb += v * c[l * m + j]
                                                l += 1
                                            }
                                        }
                                        if k > 0 {
                                            l = 0
                                            while l < m {
                                                let v = b[o - mm + i * m + l]
                                                sf += v * bb[l * m + j]
                                                sb += v * d[l * m + j]
                                                l += 1
                                            }
                                        }
                                        nf[o + i * m + j] = sf
                                        nb[o + i * m + j] = sb
                                        j += 1
                                    }
                                    i += 1
                                }
                                k += 1
                            }
                        }
                    }
                }
            }
            swap(&f, &nextF)
            swap(&b, &nextB)
            // x' = [x; 0] + b' (y[n] − Σ_{k<n} R(k − n) x[k]).
            var finite = true
            lags.withUnsafeBufferPointer { rBuffer in
                b.withUnsafeBufferPointer { bBuffer in
                    x.withUnsafeMutableBufferPointer { xBuffer in
                        residual.withUnsafeMutableBufferPointer { eBuffer in
                            let r = rBuffer.baseAddress!, b = bBuffer.baseAddress!, e = eBuffer.baseAddress!
                            var s = 0
                            while s < count {
                                let xs = xBuffer.baseAddress! + s * p * m
                                var i = 0
                                while i < m { e[i] = y[s * p * m + n * m + i]; i += 1 }
                                var k = 0
                                while k < n {
                                    let lag = r + (n - k) * mm, xk = xs + k * m
                                    i = 0
                                    while i < m {
                                        var sum = 0.0, l = 0
                                        while l < m { sum += lag[l * m + i] * xk[l]; l += 1 }
                                        e[i] -= sum
                                        i += 1
                                    }
                                    k += 1
                                }
                                k = 0
                                while k <= n {
                                    let bk = b + k * mm, xk = xs + k * m
                                    i = 0
                                    while i < m {
                                        var sum = 0.0, l = 0
                                        while l < m { sum += bk[i * m + l] * e[l]; l += 1 }
                                        xk[i] += sum
                                        i += 1
                                    }
                                    k += 1
                                }
                                i = 0
                                while i < m { if !e[i].isFinite { finite = false }; i += 1 }
                                s += 1
                            }
                        }
                    }
                }
            }
            guard finite else { return nil }
            n += 1
        }
        return (0..<count).map { Array(x[$0 * p * m..<($0 + 1) * p * m]) }
    }

    /// `I − x y` for `m × m` row-major `x`, `y`.
    private static func identityMinusProduct(_ x: [Double], _ y: [Double], _ m: Int) -> [Double] {
        var result = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                var s = i == j ? 1.0 : 0.0
                for l in 0..<m { s -= x[i * m + l] * y[l * m + j] }
                result[i * m + j] = s
            }
        }
        return result
    }

    /// `−x y` for `m × m` row-major `x`, `y`.
    private static func negatedProduct(_ x: [Double], _ y: [Double], _ m: Int) -> [Double] {
        var result = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m {
                var s = 0.0
                for l in 0..<m { s -= x[i * m + l] * y[l * m + j] }
                result[i * m + j] = s
            }
        }
        return result
    }

    /// The inverse of a small `m × m` row-major matrix by Gauss–Jordan elimination with partial pivoting, or `nil`
    /// if it is singular or not finite.
    static func inverse(_ matrix: [Double], _ m: Int) -> [Double]? {
        var a = matrix, inv = [Double](repeating: 0, count: m * m)
        for i in 0..<m { inv[i * m + i] = 1 }
        var scale = 0.0
        for v in matrix { scale = max(scale, abs(v)) }
        guard scale > 0, scale.isFinite else { return nil }
        for col in 0..<m {
            var pivot = col
            for row in col + 1..<m where abs(a[row * m + col]) > abs(a[pivot * m + col]) { pivot = row }
            guard abs(a[pivot * m + col]) > scale * 1e-300 else { return nil }
            if pivot != col {
                for k in 0..<m {
                    a.swapAt(pivot * m + k, col * m + k)
                    inv.swapAt(pivot * m + k, col * m + k)
                }
            }
            let p = a[col * m + col]
            for k in 0..<m { a[col * m + k] /= p; inv[col * m + k] /= p }
            for row in 0..<m where row != col {
                let factor = a[row * m + col]
                if factor == 0 { continue }
                for k in 0..<m {
                    a[row * m + k] -= factor * a[col * m + k]
                    inv[row * m + k] -= factor * inv[col * m + k]
                }
            }
        }
        return inv.allSatisfy(\.isFinite) ? inv : nil
    }
}
