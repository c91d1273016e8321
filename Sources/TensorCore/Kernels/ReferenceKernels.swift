import RealModule

/// Naive, obviously-correct kernels used only as test oracles (llm.c's `*_naive` twins).
/// Loops follow the textbook definitions and accumulate in `Double`; speed is irrelevant.
package enum ReferenceKernels {
    /// `C[m, n] = Σ_k op(A)[m, k] · op(B)[k, n]`; A stored `[M, K]` (`[K, M]` if `transA`), B `[K, N]` (`[N, K]` if `transB`).
    package static func matmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    s += Double(av) * Double(bv)
                }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    /// PyTorch `conv1d`: `y[b, o, t] = bias[o] + Σ_i Σ_k w[o, i, k] · x[b, g·Cin/G + i, t·s − padL + k·d]`.
    /// Shapes: `x [B, Cin, Tin]`, `w [Cout, Cin/G, K]` -> `[B, Cout, Tout]`.
    package static func conv1d(
        _ x: [Float], batch: Int, inChannels: Int, inLength: Int, _ w: [Float], outChannels: Int, kernel: Int,
        bias: [Float]?, stride: Int, padLeft: Int, padRight: Int, dilation: Int, groups: Int
    ) -> (values: [Float], outLength: Int) {
        let outLength = (inLength + padLeft + padRight - dilation * (kernel - 1) - 1) / stride + 1
        let cinG = inChannels / groups, coutG = outChannels / groups
        var y = [Float](repeating: 0, count: batch * outChannels * outLength)
        for b in 0..<batch {
            for o in 0..<outChannels {
                let g = o / coutG
                for t in 0..<outLength {
                    var s = Double(bias?[o] ?? 0)
                    for i in 0..<cinG {
                        for k in 0..<kernel {
                            let pos = t * stride - padLeft + k * dilation
                            if pos < 0 || pos >= inLength { continue }
                            s += Double(w[(o * cinG + i) * kernel + k]) * Double(x[(b * inChannels + g * cinG + i) * inLength + pos])
                        }
                    }
                    y[(b * outChannels + o) * outLength + t] = Float(s)
                }
            }
        }
        return (y, outLength)
    }

    /// PyTorch `conv_transpose1d` by its scatter definition:
    /// `y[b, g·Cout/G + o, t·s − pad + k·d] += w[g·Cin/G + i, o, k] · x[b, g·Cin/G + i, t]`.
    /// Shapes: `x [B, Cin, Tin]`, `w [Cin, Cout/G, K]` -> `[B, Cout, Tout]`.
    package static func convTranspose1d(
        _ x: [Float], batch: Int, inChannels: Int, inLength: Int, _ w: [Float], outPerGroup: Int, kernel: Int,
        bias: [Float]?, stride: Int, padding: Int, outputPadding: Int, dilation: Int, groups: Int
    ) -> (values: [Float], outLength: Int) {
        let outLength = (inLength - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1
        let cinG = inChannels / groups, cout = outPerGroup * groups
        var acc = [Double](repeating: 0, count: batch * cout * outLength)
        for b in 0..<batch {
            for c in 0..<inChannels {
                let g = c / cinG
                for o in 0..<outPerGroup {
                    for k in 0..<kernel {
                        for t in 0..<inLength {
                            let pos = t * stride - padding + k * dilation
                            if pos < 0 || pos >= outLength { continue }
                            acc[(b * cout + g * outPerGroup + o) * outLength + pos] +=
                                Double(w[(c * outPerGroup + o) * kernel + k]) * Double(x[(b * inChannels + c) * inLength + t])
                        }
                    }
                }
            }
        }
        var y = acc.map { Float($0) }
        if let bias {
            for b in 0..<batch { for o in 0..<cout { for t in 0..<outLength { y[(b * cout + o) * outLength + t] += bias[o] } } }
        }
        return (y, outLength)
    }

    /// Normalizes each of `rows` contiguous rows of `n` elements to zero mean, unit (biased) variance with
    /// `eps`, then applies `gain[param(row, i)]` and `shift[param(row, i)]`.
    package static func normalizeRows(
        _ x: [Float], rows: Int, n: Int, eps: Float, gain: [Float]?, shift: [Float]?, param: (Int, Int) -> Int
    ) -> [Float] {
        var y = x
        for r in 0..<rows {
            let row = x[(r * n)..<(r * n + n)].map(Double.init)
            let mean = row.reduce(0, +) / Double(n)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
            for i in 0..<n {
                let p = param(r, i)
                let xhat = (row[i] - mean) / (variance + Double(eps)).squareRoot()
                y[r * n + i] = Float(xhat * Double(gain?[p] ?? 1) + Double(shift?[p] ?? 0))
            }
        }
        return y
    }

    /// Softmax over contiguous rows of `n` elements, in `Double`.
    package static func softmaxRows(_ x: [Float], n: Int, log: Bool = false) -> [Float] {
        var y = x
        for r in 0..<(x.count / n) {
            let row = x[(r * n)..<(r * n + n)].map(Double.init)
            let m = row.max()!
            let lse = m + Double.log(row.map { Double.exp($0 - m) }.reduce(0, +))
            for i in 0..<n { y[r * n + i] = Float(log ? row[i] - lse : Double.exp(row[i] - lse)) }
        }
        return y
    }
}
