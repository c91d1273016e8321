// Matrix products on cblas_sgemm: matmul, batched matmul, and the fused linear layer op.

extension Tensor {
    /// The matrix product `op(a) · op(b)`, where `op` transposes the last two axes when asked
    /// (transposed operands are read in place by BLAS; no copy).
    ///
    /// Shapes: `[M, K] · [K, N] -> [M, N]`; batched `[B, M, K] · [B, K, N] -> [B, M, N]`;
    /// `[B, M, K] · [K, N] -> [B, M, N]` (the matrix is shared by the batch).
    /// - Parameters:
    ///   - a: the left operand, `[M, K]` or `[B, M, K]` (`[.., K, M]` when `transposeA`).
    ///   - b: the right operand, `[K, N]` or `[B, K, N]` (`[.., N, K]` when `transposeB`).
    ///   - transposeA: use `aᵀ`.
    ///   - transposeB: use `bᵀ`.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition((2...3).contains(a.rank) && (2...3).contains(b.rank), "matmul: ranks \(a.shape) and \(b.shape) must be 2 or 3")
        if a.rank == 3 && b.rank == 2 && !transposeA {
            let (batch, m) = (a.shape[0], a.shape[1])
            return matmul(a.reshaped([batch * m, a.shape[2]]), b, transposeB: transposeB).reshaped([batch, m, -1])
        }
        if a.rank == 2 && b.rank == 3 { return matmul(a.unsqueezed(0).expanded(to: [b.shape[0], a.shape[0], a.shape[1]]), b, transposeA: transposeA, transposeB: transposeB) }
        if a.rank == 3 && b.rank == 2 { return matmul(a, b.unsqueezed(0).expanded(to: [a.shape[0], b.shape[0], b.shape[1]]), transposeA: transposeA, transposeB: transposeB) }
        let batch = a.rank == 3 ? a.shape[0] : 1
        precondition(a.rank == 2 || b.shape[0] == batch, "matmul: batch sizes of \(a.shape) and \(b.shape) differ")
        let m = transposeA ? a.shape[-1] : a.shape[-2]
        let k = transposeA ? a.shape[-2] : a.shape[-1]
        let kb = transposeB ? b.shape[-1] : b.shape[-2]
        let n = transposeB ? b.shape[-2] : b.shape[-1]
        precondition(k == kb, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let outShape: Shape = a.rank == 3 ? [batch, m, n] : [m, n]
        let values = [Float](unsafeUninitializedCapacity: outShape.count) { out, filled in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    let (a0, b0, c0) = (pa.baseAddress!, pb.baseAddress!, out.baseAddress!)
                    let workers = batch < 2 || batch * m * n * k < Threading.gemmParallelGrain
                        ? 1 : Swift.min(Threading.blasThreads, batch)
                    Threading.forkJoin(workers) { w in
                        for i in Swift.stride(from: w, to: batch, by: workers) {
                            BLAS.sgemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k,
                                       a: a0 + i * m * k, b: b0 + i * k * n, c: c0 + i * m * n)
                        }
                    }
                    if k == 0 { out.initialize(repeating: 0) }
                }
            }
            filled = outShape.count
        }
        let out = Tensor(values, shape: outShape)
        if Autograd.shouldRecord(a, b) {
            out.record([a, b]) { g in
                let ga: Tensor?, gb: Tensor?
                switch (transposeA, transposeB) {
                case (false, false):
                    ga = a.requiresGrad ? matmul(g, b, transposeB: true) : nil
                    gb = b.requiresGrad ? matmul(a, g, transposeA: true) : nil
                case (false, true):
                    ga = a.requiresGrad ? matmul(g, b) : nil
                    gb = b.requiresGrad ? matmul(g, a, transposeA: true) : nil
                case (true, false):
                    ga = a.requiresGrad ? matmul(b, g, transposeB: true) : nil
                    gb = b.requiresGrad ? matmul(a, g) : nil
                case (true, true):
                    ga = a.requiresGrad ? matmul(b, g, transposeA: true, transposeB: true) : nil
                    gb = b.requiresGrad ? matmul(g, a, transposeA: true, transposeB: true) : nil
                }
                return [ga, gb]
            }
        }
        return out
    }

    /// The affine map of PyTorch's `nn.Linear`: `y = x · Wᵀ + b` over the last axis, as one GEMM.
    ///
    /// Shapes: `x [..., in]`, `weight [out, in]`, `bias [out]` -> `[..., out]` (frames-first activations
    /// `[B, T, C]` make this one GEMM with `B·T` rows).
    /// - Parameters:
    ///   - x: the input, `[..., in]`.
    ///   - weight: `[out, in]` (PyTorch layout; read transposed in place).
    ///   - bias: `[out]`, or nil.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(weight.rank == 2 && x.rank >= 1 && x.shape[-1] == weight.shape[1],
                     "linear: input \(x.shape) does not match weight \(weight.shape) ([out, in])")
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        if let bias { precondition(bias.shape == [outFeatures], "linear: bias \(bias.shape) != [\(outFeatures)]") }
        let rows = x.count / Swift.max(inFeatures, 1)
        var dims = x.shape.dims
        dims[dims.count - 1] = outFeatures
        let outShape = Shape(dims)
        let values = [Float](unsafeUninitializedCapacity: outShape.count) { out, filled in
            x.withUnsafeBufferPointer { px in
                weight.withUnsafeBufferPointer { pw in
                    var beta: Float = 0
                    if let bias {
                        bias.withUnsafeBufferPointer { pb in
                            for r in 0..<rows { (out.baseAddress! + r * outFeatures).initialize(from: pb.baseAddress!, count: outFeatures) }
                        }
                        beta = 1
                    } else if inFeatures == 0 {
                        out.initialize(repeating: 0)
                    }
                    BLAS.sgemm(transB: true, m: rows, n: outFeatures, k: inFeatures,
                               a: px.baseAddress!, b: pw.baseAddress!, beta: beta, c: out.baseAddress!)
                }
            }
            filled = outShape.count
        }
        let out = Tensor(values, shape: outShape)
        var parents = [x, weight]
        if let bias { parents.append(bias) }
        if Autograd.shouldRecord(parents) {
            out.record(parents) { g in
                let g2 = g.reshaped([rows, outFeatures])
                var grads: [Tensor?] = [
                    x.requiresGrad ? matmul(g2, weight).reshaped(x.shape.dims) : nil,
                    weight.requiresGrad ? matmul(g2, x.reshaped([rows, inFeatures]), transposeA: true) : nil,
                ]
                if let bias { grads.append(bias.requiresGrad ? g2.sum(axis: 0) : nil) }
                return grads
            }
        }
        return out
    }
}
