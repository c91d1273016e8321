/// The Cholesky factor `L` (lower triangular, `A = L Lᵀ`) of a symmetric positive-definite matrix, in `Double`,
/// with solves. Used on BSS-Eval's Gram matrices, `[nsrc·512, nsrc·512]`.
struct CholeskyFactor {
    /// Matrix order.
    let order: Int
    /// `L`, row-major `[order, order]`; only the lower triangle is meaningful.
    private var lower: [Double]

    /// Factors `matrix` (row-major `[order, order]`, only the lower triangle is read).
    /// - Returns: `nil` if a pivot is not positive and finite: the matrix is not (numerically) positive definite.
    init?(_ matrix: [Double], order: Int) {
        precondition(matrix.count == order * order)
        self.order = order
        var lower = matrix
        guard Self.factor(&lower, order: order) else { return nil }
        self.lower = lower
    }

    /// Cholesky–Banachiewicz, row by row: `L[i][j] = (A[i][j] - L[i][:j]·L[j][:j]) / L[j][j]`. The inner products run
    /// over contiguous rows.
    private static func factor(_ a: inout [Double], order n: Int) -> Bool {
        a.withUnsafeMutableBufferPointer { buffer in
            let l = buffer.baseAddress!
            var i = 0
            while i < n {
                let rowI = l + i * n
                var j = 0
                while j <= i {
                    let rowJ = l + j * n
                    let s = rowI[j] - dot(rowI, rowJ, count: j)
                    if i == j {
                        guard s > 0, s.isFinite else { return false }
                        rowI[i] = s.squareRoot()
                    } else {
                        rowI[j] = s / rowJ[j]
                    }
                    j += 1
                }
                i += 1
            }
            return true
        }
    }

    /// `x · y` over `count` contiguous values, in four interleaved partial sums (plain arithmetic: it is also the
    /// hot loop of the debug-built tests, where generic helpers are not specialised).
    private static func dot(_ x: UnsafeMutablePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var k = 0
        while k + 4 <= count {
            s0 += x[k] * y[k]
            s1 += x[k + 1] * y[k + 1]
            s2 += x[k + 2] * y[k + 2]
            s3 += x[k + 3] * y[k + 3]
            k += 4
        }
        while k < count {
            s0 += x[k] * y[k]
            k += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// The solution `x` of `A x = b`, `[order]`.
    func solve(_ b: [Double]) -> [Double] {
        precondition(b.count == order)
        let n = order
        var x = b
        lower.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { x in
                // L y = b, row by row.
                var i = 0
                while i < n {
                    var s = x[i]
                    var k = 0
                    let row = i * n
                    while k < i { s -= l[row + k] * x[k]; k += 1 }
                    x[i] = s / l[row + i]
                    i += 1
                }
                // Lᵀ x = y, column-oriented so that L is read by rows.
                i = n - 1
                while i >= 0 {
                    let row = i * n
                    x[i] /= l[row + i]
                    let xi = x[i]
                    var k = 0
                    while k < i { x[k] -= l[row + k] * xi; k += 1 }
                    i -= 1
                }
            }
        }
        return x
    }
}
