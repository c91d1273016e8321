// SepKWS vector kernels in C: compiled for AVX-512F, AVX2+FMA and the baseline ISA, chosen once at load time
// from the CPU's features (__builtin_cpu_supports), so the package needs no special compiler flags.
// Layouts are frames-first rows: element (t, c) of a [frames, channels] block is at t * channels + c.
#ifndef SEPKWS_CKERNELS_H
#define SEPKWS_CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Depthwise conv over time, "same" zero padding pad = dilation * (taps - 1) / 2, for output frames [t0, t1)
/// of one batch item: out[t, c] = (residual & 1 ? x[t, c] : 0) + (residual & 2 ? out[t, c] : 0)
/// + sum_k w[k, c] * x[t + k * dilation - pad, c] (flag 1 adds the input, flag 2 accumulates onto out).
/// out: [frames, channels]; w: taps-first [taps, channels]; x holds frames from `first` on (x's row 0 is frame
/// `first`; 0 when x is the whole signal), at least the frames the taps of t0..<t1 reach. out must not alias x.
void sk_depthwise_forward(const float *x, long first, const float *w, float *out, long frames, long channels,
                          long taps, long dilation, int residual, long t0, long t1);

/// Weight gradient of sk_depthwise_forward for channels [c0, c1) of one batch item, accumulated:
/// dw[k, c] += sum_t dy[t, c] * x[t + k * dilation - pad, c] (zero outside the signal). dw: [taps, channels].
void sk_depthwise_weight_gradient(const float *x, const float *dy, float *dw, long frames, long channels, long taps,
                                  long dilation, long c0, long c1);

/// Fused epilogue of a Linear: for rows r < rows, o[r, c] = act(o[r, c] + bias[c]) (bias may be NULL).
/// activation: 0 identity, 1 relu, 2 silu, 3 sigmoid, 4 squared relu, 5 PReLU with the one slope `slope`.
void sk_bias_activation(float *o, long rows, long columns, const float *bias, int activation, float slope);

/// One channel row of a stride-1 convolution (channels-first), accumulated:
/// out[t] += sum_k w[k] * x[t + k * dilation - padLeft] for t < outLength, zero outside 0..<inLength.
void sk_conv_row(const float *x, long inLength, const float *w, long taps, long dilation, long padLeft, float *out,
                 long outLength);

/// The weight gradient of sk_conv_row, accumulated: dw[k] += sum_t dy[t] * x[t + k * dilation - padLeft].
void sk_correlate_row(const float *x, long inLength, const float *dy, long outLength, long taps, long dilation,
                      long padLeft, float *dw);

/// out[i] = a[i] * b[i] * sigmoid(c[i] * d[i]) for i < n.
void sk_sigmoid_gate(const float *a, const float *b, const float *c, const float *d, float *out, long n);

/// Gradients of sk_sigmoid_gate from the incoming gradient g (each output written, not accumulated).
void sk_sigmoid_gate_backward(const float *g, const float *a, const float *b, const float *c, const float *d,
                              float *da, float *db, float *dc, float *dd, long n);

/// y[i] = act(x[i]) for i < n; activation: 1 relu, 2 silu, 3 sigmoid (the codes of sk_bias_activation).
void sk_activation(const float *x, float *y, long n, int activation);

/// dx[i] = g[i] * act'(x[i]) for i < n, from the activation's input x (codes as sk_activation).
void sk_activation_gradient(const float *x, const float *g, float *dx, long n, int activation);

// Row kernels of the fused inference paths (row_kernels.c). Rows [r0, r1) are counted from the base pointers;
// ld* are row strides in floats.

/// ScaleNorm with an optional token shift: row r reads xs[r, c] = (c < delayed ? x[r - 1, c] (0 for r = 0) : x[r, c])
/// and writes out[r, c] = xs[r, c] * gain / max(||xs[r]|| / sqrt(cols), eps); norms[r] (if not NULL) gets the rms.
void sk_scale_norm_rows(const float *x, long ldx, float *out, long ldo, long r0, long r1, long cols, long delayed,
                        float gain, float eps, float *norms);

/// LayerNorm over each row's cols: out = (x - mean) * rstd * weight + bias (weight, bias may be NULL), two-pass
/// statistics; means[r], rstds[r] (if not NULL) get the statistics.
void sk_layer_norm_rows(const float *x, long ldx, float *out, long ldo, long r0, long r1, long cols,
                        const float *weight, const float *bias, float eps, float *means, float *rstds);

/// InstanceNorm over time of frames-first data, channels [c0, c1), of v = x (+ x2 when not NULL, same ldx):
/// out[t, c] = prelu_c((v[t, c] - mean_c) * rstd_c * weight[c] + bias[c]) with per-channel slopes.
void sk_instance_norm_prelu(const float *x, const float *x2, long ldx, float *out, long ldo, long frames, long c0,
                            long c1, const float *weight, const float *bias, const float *slopes, float eps);

/// even[r, p] = x[r, 2p], odd[r, p] = x[r, 2p + 1] for p < pairs.
void sk_deinterleave_pairs(const float *x, long ldx, float *even, float *odd, long ldo, long r0, long r1, long pairs);

/// out[r, c] = x[r, c] * scale[c] + shift[c].
void sk_affine_rows(const float *x, long ldx, float *out, long ldo, long r0, long r1, long cols, const float *scale,
                    const float *shift);

/// Rotary embedding of contiguous rows [rows, features] (row r is position r % frames): pair (2j, 2j+1), j < rot/2, is
/// rotated by the angle whose cosine and sine are cosines/sines[p * rot/2 + j] (sine times sign: -1 is the inverse);
/// other features are copied. out may equal x.
void sk_rotary_rows(const float *x, float *out, long r0, long r1, long frames, long features, long rot,
                    const float *cosines, const float *sines, float sign);

/// out[i] = gate[i] * (a[i] + m[i]) + residual[i] for i < n.
void sk_gated_residual(const float *gate, const float *a, const float *m, const float *residual, float *out, long n);

/// The name of the instruction set the kernels dispatch to ("avx512f", "avx2", "baseline").
const char *sk_kernel_isa(void);

#ifdef __cplusplus
}
#endif

#endif
