import CKernels

// Fused elementwise ops of the MossFormer2 attention layer: each replaces several passes (and tensors) of the
// generic ops, forward and backward.

extension Tensor {
    /// The sigmoid gate `a ⊙ b ⊙ sigmoid(c ⊙ d)` in one pass (MossFormer2's `(att_u ⊙ v) ⊙ σ(att_v ⊙ u)`).
    ///
    /// Shapes: four equal shapes -> the same shape.
    public static func sigmoidGate(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: Tensor) -> Tensor {
        precondition(a.shape == b.shape && a.shape == c.shape && a.shape == d.shape,
                     "sigmoidGate: shapes \(a.shape), \(b.shape), \(c.shape), \(d.shape) must be equal")
        let n = a.count
        let values = [Float](unsafeUninitializedCapacity: n) { out, filled in
            withPointers(a, b, c, d) { pa, pb, pc, pd in
                let (a0, b0, c0, d0, o0) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, pd.baseAddress!, out.baseAddress!)
                Threading.parallelFor(n) { r in
                    sk_sigmoid_gate(a0 + r.lowerBound, b0 + r.lowerBound, c0 + r.lowerBound, d0 + r.lowerBound,
                                    o0 + r.lowerBound, r.count)
                }
            }
            filled = n
        }
        let out = Tensor(values, shape: a.shape)
        if Autograd.shouldRecord(a, b, c, d) {
            out.record([a, b, c, d]) { g in
                // s = σ(cd): da = g·b·s, db = g·a·s, and with t = g·a·b·s·(1−s): dc = t·d, dd = t·c.
                func empty() -> [Float] { [Float](unsafeUninitializedCapacity: n) { _, m in m = n } }
                var da = empty(), db = empty(), dc = empty(), dd = empty()
                da.withUnsafeMutableBufferPointer { ga in db.withUnsafeMutableBufferPointer { gb in
                    dc.withUnsafeMutableBufferPointer { gc in dd.withUnsafeMutableBufferPointer { gd in
                        g.withUnsafeBufferPointer { pg in
                            withPointers(a, b, c, d) { pa, pb, pc, pd in
                                Threading.parallelFor(n) { r in
                                    let i = r.lowerBound
                                    sk_sigmoid_gate_backward(
                                        pg.baseAddress! + i, pa.baseAddress! + i, pb.baseAddress! + i, pc.baseAddress! + i,
                                        pd.baseAddress! + i, ga.baseAddress! + i, gb.baseAddress! + i, gc.baseAddress! + i,
                                        gd.baseAddress! + i, r.count)
                                }
                            }
                        }
                    } }
                } }
                let grads = [da, db, dc, dd]
                return [a, b, c, d].enumerated().map { k, t in t.requiresGrad ? Tensor(grads[k], shape: t.shape) : nil }
            }
        }
        return out
    }

    /// Token shift: the first `delayedFeatures` features of every frame are taken from the previous frame
    /// (zeros at frame 0), the rest pass unchanged (MossFormer2's shift of the first half of the features).
    ///
    /// Shapes: `[B, T, D] -> [B, T, D]`.
    public func tokenShifted(delayedFeatures h: Int) -> Tensor {
        precondition(rank == 3 && h >= 0 && h <= shape[2], "tokenShifted: input must be [B, T, D] with \(h) <= D, got \(shape)")
        let (batch, frames, d) = (shape[0], shape[1], shape[2])
        /// `dst[t] = (src[t − 1] for the first h features, src[t] for the rest)` (`direction` +1), or the adjoint
        /// (`direction` −1: the first h features come from `src[t + 1]`, zeros at the last frame).
        func shift(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, direction: Int) {
            for b in 0..<batch {
                for t in 0..<frames {
                    let row = (b * frames + t) * d
                    let from = t - direction
                    if from >= 0 && from < frames {
                        (dst + row).update(from: src + (b * frames + from) * d, count: h)
                    } else {
                        (dst + row).update(repeating: 0, count: h)
                    }
                    (dst + row + h).update(from: src + row + h, count: d - h)
                }
            }
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { src in shift(src.baseAddress!, out.baseAddress!, direction: 1) }
        }
        let out = Tensor(values, shape: shape)
        if Autograd.shouldRecord(self) {
            let s = shape
            out.record([self]) { g in
                var grad = [Float](repeating: 0, count: s.count)
                grad.withUnsafeMutableBufferPointer { dst in
                    g.withUnsafeBufferPointer { src in shift(src.baseAddress!, dst.baseAddress!, direction: -1) }
                }
                return [Tensor(grad, shape: s)]
            }
        }
        return out
    }
}

/// Calls `body` with the element pointers of four tensors.
private func withPointers<R>(
    _ a: Tensor, _ b: Tensor, _ c: Tensor, _ d: Tensor,
    _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) -> R
) -> R {
    a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
        c.withUnsafeBufferPointer { pc in d.withUnsafeBufferPointer { pd in body(pa, pb, pc, pd) } }
    } }
}
