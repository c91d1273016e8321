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
        let m = blockSize, p = blockCount, mm = m * m
        precondition(rightHandSides.allSatisfy { $0.count == p * m })
        guard let r0Inverse = Self.inverse(Array(lags[0..<mm]), m) else { return nil }
        // Forward and backward block columns: f[k], b[k] (m × m each), k in 0..<n; solutions x[k] (m each).
        var f = [Double](repeating: 0, count: p * mm), b = [Double](repeating: 0, count: p * mm)
        var nextF = f, nextB = b
        for e in 0..<mm { f[e] = r0Inverse[e]; b[e] = r0Inverse[e] }
        var solutions = rightHandSides.map { y -> [Double] in
            var x = [Double](repeating: 0, count: p * m)
            for i in 0..<m { for j in 0..<m { x[i] += r0Inverse[i * m + j] * y[j] } }
            return x
        }
        var epsilonF = [Double](repeating: 0, count: mm), epsilonB = epsilonF, scratch = epsilonF
        var n = 1
        while n < p {
            // ε_f = Σ_{k<n} R(k − n) f[k] = Σ R(n − k)ᵀ f[k];  ε_b = Σ_{k=1...n} R(k) b[k − 1].
            for e in 0..<mm { epsilonF[e] = 0; epsilonB[e] = 0 }
            lags.withUnsafeBufferPointer { r in
                f.withUnsafeBufferPointer { f in
                    b.withUnsafeBufferPointer { b in
                        var k = 0
                        while k < n {
                            let lagF = (n - k) * mm, fk = k * mm, lagB = (k + 1) * mm
                            for i in 0..<m {
                                for j in 0..<m {
                                    var sf = 0.0, sb = 0.0
                                    for l in 0..<m {
                                        sf += r[lagF + l * m + i] * f[fk + l * m + j]
                                        sb += r[lagB + i * m + l] * b[fk + l * m + j]
                                    }
                                    epsilonF[i * m + j] += sf
                                    epsilonB[i * m + j] += sb
                                }
                            }
                            k += 1
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
            f.withUnsafeBufferPointer { f in
                b.withUnsafeBufferPointer { b in
                    nextF.withUnsafeMutableBufferPointer { nf in
                        nextB.withUnsafeMutableBufferPointer { nb in
                            var k = 0
                            while k <= n {
                                let o = k * mm, hasF = k < n, hasB = k > 0
                                for i in 0..<m {
                                    for j in 0..<m {
                                        var sf = 0.0, sb = 0.0
                                        for l in 0..<m {
                                            if hasF {
                                                sf += f[o + i * m + l] * a[l * m + j]
                                                sb += f[o + i * m + l] * c[l * m + j]
                                            }
                                            if hasB {
                                                sf += b[o - mm + i * m + l] * bb[l * m + j]
                                                sb += b[o - mm + i * m + l] * d[l * m + j]
                                            }
                                        }
                                        nf[o + i * m + j] = sf
                                        nb[o + i * m + j] = sb
                                    }
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
            for s in solutions.indices {
                for i in 0..<m {
                    var residual = rightHandSides[s][n * m + i]
                    lags.withUnsafeBufferPointer { r in
                        solutions[s].withUnsafeBufferPointer { x in
                            var k = 0
                            while k < n {
                                let lag = (n - k) * mm
                                for l in 0..<m { residual -= r[lag + l * m + i] * x[k * m + l] }
                                k += 1
                            }
                        }
                    }
                    scratch[i] = residual
                }
                solutions[s].withUnsafeMutableBufferPointer { x in
                    b.withUnsafeBufferPointer { b in
                        var k = 0
                        while k <= n {
                            for i in 0..<m {
                                var s = 0.0
                                for l in 0..<m { s += b[k * mm + i * m + l] * scratch[l] }
                                x[k * m + i] += s
                            }
                            k += 1
                        }
                    }
                }
            }
            guard scratch.allSatisfy(\.isFinite) else { return nil }
            n += 1
        }
        return solutions
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
