import CKernels

/// The C row kernels of the fused inference paths (`row_kernels.c`), for the model targets above TensorCore.
///
/// TensorCore is the only importer of `CKernels`; these thin `package` wrappers let the separator's fused blocks
/// call the kernels without importing C. Rows `[r0, r1)` are counted from the base pointers; `ld*` are row strides
/// in floats. Each wrapper documents its kernel's formula; shapes are the caller's to check (programmer errors).
package enum RowKernels {
    /// ScaleNorm with a token shift: row r reads `xs[r, c] = c < delayed ? x[r − 1, c] (0 for r = 0) : x[r, c]` and
    /// writes `out[r, c] = xs[r, c] · gain / max(‖xs[r]‖ / √cols, eps)`; `norms[r]` (if given) gets the rms.
    @inline(__always)
    package static func scaleNorm(
        _ x: UnsafePointer<Float>, ldx: Int, into out: UnsafeMutablePointer<Float>, ldo: Int, rows r0: Int, to r1: Int,
        cols: Int, delayed: Int, gain: Float, eps: Float, norms: UnsafeMutablePointer<Float>? = nil
    ) {
        sk_scale_norm_rows(x, ldx, out, ldo, r0, r1, cols, delayed, gain, eps, norms)
    }

    /// LayerNorm over each row's `cols`: `out = (x − mean) · rstd · weight + bias` (weight and bias optional).
    @inline(__always)
    package static func layerNorm(
        _ x: UnsafePointer<Float>, ldx: Int, into out: UnsafeMutablePointer<Float>, ldo: Int, rows r0: Int, to r1: Int,
        cols: Int, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, eps: Float
    ) {
        sk_layer_norm_rows(x, ldx, out, ldo, r0, r1, cols, weight, bias, eps, nil, nil)
    }

    /// InstanceNorm over time of frames-first data, channels `[c0, c1)`, of `v = x (+ x2)`, then a PReLU with
    /// per-channel slopes: `out[t, c] = prelu_c((v[t, c] − mean_c) · rstd_c · weight[c] + bias[c])`.
    @inline(__always)
    package static func instanceNormPReLU(
        _ x: UnsafePointer<Float>, plus x2: UnsafePointer<Float>?, ldx: Int, into out: UnsafeMutablePointer<Float>,
        ldo: Int, frames: Int, channels c0: Int, to c1: Int, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        slopes: UnsafePointer<Float>, eps: Float
    ) {
        sk_instance_norm_prelu(x, x2, ldx, out, ldo, frames, c0, c1, weight, bias, slopes, eps)
    }

    /// `even[r, p] = x[r, 2p]`, `odd[r, p] = x[r, 2p + 1]` for `p < pairs`.
    @inline(__always)
    package static func deinterleavePairs(
        _ x: UnsafePointer<Float>, ldx: Int, even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>,
        ldo: Int, rows r0: Int, to r1: Int, pairs: Int
    ) {
        sk_deinterleave_pairs(x, ldx, even, odd, ldo, r0, r1, pairs)
    }

    /// `out[r, c] = x[r, c] · scale[c] + shift[c]`.
    @inline(__always)
    package static func affine(
        _ x: UnsafePointer<Float>, ldx: Int, into out: UnsafeMutablePointer<Float>, ldo: Int, rows r0: Int, to r1: Int,
        cols: Int, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
    ) {
        sk_affine_rows(x, ldx, out, ldo, r0, r1, cols, scale, shift)
    }

    /// Rotary embedding of contiguous rows `[rows, features]` (row r is position `r % frames`): pair `(2j, 2j+1)`,
    /// `j < rot/2`, is rotated by the angle with `cosines/sines[p · rot/2 + j]` (sine times `sign`); other
    /// features are copied. `out` may equal `x`.
    @inline(__always)
    package static func rotary(
        _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows r0: Int, to r1: Int, frames: Int,
        features: Int, rotated: Int, cosines: UnsafePointer<Float>, sines: UnsafePointer<Float>, sign: Float
    ) {
        sk_rotary_rows(x, out, r0, r1, frames, features, rotated, cosines, sines, sign)
    }

    /// `out[i] = a[i] · b[i] · sigmoid(c[i] · d[i])` for `i < n`.
    @inline(__always)
    package static func sigmoidGate(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ d: UnsafePointer<Float>,
        into out: UnsafeMutablePointer<Float>, count n: Int
    ) {
        sk_sigmoid_gate(a, b, c, d, out, n)
    }

    /// `out[i] = gate[i] · (a[i] + m[i]) + residual[i]` for `i < n`.
    @inline(__always)
    package static func gatedResidual(
        gate: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ m: UnsafePointer<Float>,
        residual: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count n: Int
    ) {
        sk_gated_residual(gate, a, m, residual, out, n)
    }

    /// `o[r, c] = act(o[r, c] + bias[c])` in place for `r < rows` (bias optional).
    @inline(__always)
    package static func biasActivation(
        _ o: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: UnsafePointer<Float>? = nil,
        activation: FusedActivation, slope: Float = 0
    ) {
        sk_bias_activation(o, rows, columns, bias, activation.kernelCode, slope)
    }
}
