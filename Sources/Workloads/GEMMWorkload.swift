import TensorCore

/// A GEMM shape of the MossFormer2 separator and how fast it runs: bare `cblas_sgemm` against the engine's
/// Linear paths, on the same buffers, in the same run. Shared by `sepkws bench gemm` and KernelBenchmarks.
package struct GEMMWorkload {
    /// What the product computes in the model.
    package let label: String
    /// Rows (frames).
    package let m: Int
    /// Inner dimension (input features).
    package let k: Int
    /// Columns (output features).
    package let n: Int

    /// The shapes benchmarked: a 2-s 16 kHz window is 3,999 encoder frames (rounded to 4,000);
    /// D = 512, FLASH hidden 4D = 2048, FSMN width F = 256, Q = 128, attention group g = 256.
    package static let mossFormer2: [GEMMWorkload] = [
        GEMMWorkload(label: "issue shape [4000x256]x[256x1024]", m: 4000, k: 256, n: 1024),
        GEMMWorkload(label: "to_hidden  D -> 4D", m: 4000, k: 512, n: 2048),
        GEMMWorkload(label: "to_qk      D -> Q", m: 4000, k: 512, n: 128),
        GEMMWorkload(label: "to_out     2D -> D", m: 4000, k: 1024, n: 512),
        GEMMWorkload(label: "fsmn conv1 D -> F", m: 4000, k: 512, n: 256),
        GEMMWorkload(label: "fsmn F -> F", m: 4000, k: 256, n: 256),
        GEMMWorkload(label: "quad attn A·v (1 group)", m: 256, k: 256, n: 1024),
    ]

    /// Creates a workload `[m x k] · [k x n]`.
    package init(label: String, m: Int, k: Int, n: Int) {
        self.label = label; self.m = m; self.k = k; self.n = n
    }

    /// Floating-point operations of one product (`2·m·k·n`).
    package var flops: Double { 2 * Double(m) * Double(k) * Double(n) }

    /// Seconds per call of the bare GEMM (`BLAS.sgemm`: single-threaded OpenBLAS calls, split in panels over the
    /// worker pool), `Inference.linear` (bias, no activation, preallocated output)
    /// and `Tensor.linear` (allocating, no-grad), each the median of `runs` timed calls after a warm-up.
    package func measure(runs: Int) -> (bare: Double, inference: Double, tensor: Double) {
        var rng = SplitMix64(seed: 1)
        let x = Tensor.randomNormal([m, k], using: &rng)
        let w = Tensor.randomNormal([n, k], standardDeviation: 0.05, using: &rng)
        let b = Tensor.randomNormal([n], using: &rng)
        let out = Tensor.zeros([m, n])
        let bare = Timing.median(runs: runs) {
            out.withUnsafeMutableBufferPointer { po in
                x.withUnsafeBufferPointer { px in
                    w.withUnsafeBufferPointer { pw in
                        BLAS.sgemm(transB: true, m: m, n: n, k: k, a: px.baseAddress!, b: pw.baseAddress!, c: po.baseAddress!)
                    }
                }
            }
        }
        let inference = Timing.median(runs: runs) { Inference.linear(x, weight: w, bias: b, into: out) }
        let tensor = Timing.median(runs: runs) { _ = Autograd.withNoGrad { Tensor.linear(x, weight: w, bias: b) } }
        return (bare, inference, tensor)
    }
}
