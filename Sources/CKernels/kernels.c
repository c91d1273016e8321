// Each kernel body is written once as a static inline function with plain loops over the contiguous channel
// axis (so the loop vectorizer handles them), then instantiated for three targets with the `target` attribute.
#include "CKernels.h"
#include "dispatch.h"
#include <string.h>

// ---------------------------------------------------------------------------------------------------------
// Bodies.

// Channels are processed in chunks of SK_CHUNK floats: the weight gradient keeps a chunk's sums in vector registers
// across a tile (the constant-size inner loops are fully unrolled), the forward copies a chunk of a tile to local
// rows; the tail chunk uses the same code with a variable width.
#define SK_CHUNK 64

// Frames per tile of depthwise_forward_body: a channel chunk of the tile's source frames (with the taps' reach on
// both sides, zeros outside the signal) and of the weights is copied to contiguous local rows first. Frames-first
// rows of 1024 floats are 4 KiB apart, so the taps of one output would otherwise all fall into the same L1 cache
// set and thrash it. Tiles are the outer loop, so a tile's source rows are read from memory once and then from L2.
#define SK_TILE 64

// Output frames per register block of depthwise_forward_body: SK_BLOCK accumulators of SK_LANES channels stay in
// vector registers across all taps, and each tap's weights are loaded once for the whole block.
#define SK_BLOCK 8
#define SK_LANES 16
typedef float sk_lanes __attribute__((vector_size(SK_LANES * sizeof(float))));
#define SK_LOAD(v, p) __builtin_memcpy(&(v), (p), sizeof(sk_lanes))
#define SK_STORE(p, v) __builtin_memcpy((p), &(v), sizeof(sk_lanes))

// Taps of the sliding-window path of depthwise_forward_body (MossFormer2's FFConvM kernel): with 32 vector
// registers (AVX-512) the taps' weights, SK_BLOCK accumulators and one source row fit at once.
#define SK_SLIDING_TAPS 17
#define SK_WIDE_avx512 1
#define SK_WIDE_avx2 0

// The accumulators of one register block of depthwise_forward_body before its taps: the block's own input rows
// (`x`, local rows SK_CHUNK apart) when residual & 1, plus what `out` holds (rows `channels` apart) when residual & 2.
SK_INLINE void depthwise_block_start(sk_lanes acc[SK_BLOCK], const float *x, const float *out, long channels,
                                     int residual) {
    for (int r = 0; r < SK_BLOCK; r++) {
        acc[r] = (sk_lanes){0};
        sk_lanes a;
        if (residual & 1) { SK_LOAD(a, x + r * SK_CHUNK); acc[r] += a; }
        if (residual & 2) { SK_LOAD(a, out + r * channels); acc[r] += a; }
    }
}

SK_INLINE void depthwise_forward_body(const float *restrict x, long first, const float *restrict w,
                                      float *restrict out, long frames, long channels, long taps, long dilation,
                                      int residual, long t0, long t1, const int wide_registers) {
    const long pad = dilation * (taps - 1) / 2;
    // 64-byte aligned local rows: a 16-lane load never straddles two cache lines.
    float wl[taps][SK_CHUNK] __attribute__((aligned(64)));
    float xl[SK_TILE + 2 * pad][SK_CHUNK] __attribute__((aligned(64)));
    for (long tt = t0; tt < t1; tt += SK_TILE) {
        const long te = tt + SK_TILE < t1 ? tt + SK_TILE : t1;
        const long rows = te - tt + 2 * pad;   // local row i holds source frame tt - pad + i
        for (long c = 0; c < channels; c += SK_CHUNK) {
            const long n = channels - c < SK_CHUNK ? channels - c : SK_CHUNK;
            for (long k = 0; k < taps; k++)
                for (long j = 0; j < n; j++) wl[k][j] = w[k * channels + c + j];
            for (long i = 0; i < rows; i++) {
                const long sf = tt - pad + i;
                if (sf >= 0 && sf < frames) {
                    for (long j = 0; j < n; j++) xl[i][j] = x[(sf - first) * channels + c + j];
                } else {
                    for (long j = 0; j < n; j++) xl[i][j] = 0.0f;
                }
            }
            for (long v = 0; v < n; v += SK_LANES) {
                const long nv = n - v < SK_LANES ? n - v : SK_LANES;
                long t = tt;
                if (nv == SK_LANES && wide_registers && taps == SK_SLIDING_TAPS && dilation == 1) {
                    // All taps' weights stay in registers across the tile, and each source row is loaded once per
                    // block: SK_BLOCK + taps - 1 loads for SK_BLOCK x taps multiply-adds.
                    sk_lanes wv[SK_SLIDING_TAPS];
                    for (int k = 0; k < SK_SLIDING_TAPS; k++) SK_LOAD(wv[k], wl[k] + v);
                    for (; t + SK_BLOCK <= te; t += SK_BLOCK) {
                        sk_lanes acc[SK_BLOCK];
                        depthwise_block_start(acc, xl[t - tt + pad] + v, out + t * channels + c + v, channels, residual);
                        const float *xr = xl[t - tt] + v;
#pragma clang loop unroll(full)
                        for (int i = 0; i < SK_BLOCK + SK_SLIDING_TAPS - 1; i++) {
                            sk_lanes xs;
                            SK_LOAD(xs, xr + i * SK_CHUNK);
#pragma clang loop unroll(full)
                            for (int r = 0; r < SK_BLOCK; r++)
                                if (i - r >= 0 && i - r < SK_SLIDING_TAPS) acc[r] += wv[i - r] * xs;
                        }
                        for (int r = 0; r < SK_BLOCK; r++) SK_STORE(out + (t + r) * channels + c + v, acc[r]);
                    }
                } else if (nv == SK_LANES) {
                    for (; t + SK_BLOCK <= te; t += SK_BLOCK) {
                        sk_lanes acc[SK_BLOCK];
                        depthwise_block_start(acc, xl[t - tt + pad] + v, out + t * channels + c + v, channels, residual);
                        for (long k = 0; k < taps; k++) {
                            sk_lanes wk;
                            SK_LOAD(wk, wl[k] + v);
                            const float *xk = xl[t - tt + k * dilation] + v;
                            for (int r = 0; r < SK_BLOCK; r++) {
                                sk_lanes xs;
                                SK_LOAD(xs, xk + r * SK_CHUNK);
                                acc[r] += wk * xs;
                            }
                        }
                        for (int r = 0; r < SK_BLOCK; r++) SK_STORE(out + (t + r) * channels + c + v, acc[r]);
                    }
                }
                // The tile's last frames and a narrow last channel group, one frame at a time.
                for (; t < te; t++) {
                    float *restrict o = out + t * channels + c + v;
                    float acc[SK_LANES];
                    for (long j = 0; j < nv; j++)
                        acc[j] = ((residual & 1) ? xl[t - tt + pad][v + j] : 0.0f) + ((residual & 2) ? o[j] : 0.0f);
                    for (long k = 0; k < taps; k++) {
                        const float *restrict xs = xl[t - tt + k * dilation] + v;
                        const float *restrict wk = wl[k] + v;
                        for (long j = 0; j < nv; j++) acc[j] += wk[j] * xs[j];
                    }
                    for (long j = 0; j < nv; j++) o[j] = acc[j];
                }
            }
        }
    }
}

SK_INLINE void depthwise_weight_gradient_body(const float *restrict x, const float *restrict dy, float *restrict dw,
                                              long frames, long channels, long taps, long dilation, long c0, long c1) {
    const long pad = dilation * (taps - 1) / 2;
    const long tile = 64;  // frames per tile: the tile's dy and x rows stay in cache across all taps
    for (long t0 = 0; t0 < frames; t0 += tile) {
        const long t1 = t0 + tile < frames ? t0 + tile : frames;
        for (long k = 0; k < taps; k++) {
            const long offset = k * dilation - pad;
            const long lo = t0 > -offset ? t0 : -offset;
            const long hi = t1 < frames - offset ? t1 : frames - offset;
            if (lo >= hi) continue;
            float *restrict dwk = dw + k * channels;
            long c = c0;
            for (; c + SK_CHUNK <= c1; c += SK_CHUNK) {
                float acc[SK_CHUNK];
                for (int j = 0; j < SK_CHUNK; j++) acc[j] = dwk[c + j];
                for (long t = lo; t < hi; t++) {
                    const float *restrict g = dy + t * channels + c;
                    const float *restrict xs = x + (t + offset) * channels + c;
                    for (int j = 0; j < SK_CHUNK; j++) acc[j] += g[j] * xs[j];
                }
                for (int j = 0; j < SK_CHUNK; j++) dwk[c + j] = acc[j];
            }
            for (long t = lo; t < hi && c < c1; t++) {
                const float *restrict g = dy + t * channels;
                const float *restrict xs = x + (t + offset) * channels;
                for (long j = c; j < c1; j++) dwk[j] += g[j] * xs[j];
            }
        }
    }
}

// One channel row of a stride-1 convolution, accumulated: out[t] += sum_k w[k] * x[t + k * dilation - padLeft]
// for t < outLength (zero outside 0..<inLength). Frames whose taps are all inside run 16 at a time with the sums
// in registers.
SK_INLINE void conv_row_body(const float *restrict x, long inLength, const float *restrict w, long taps,
                             long dilation, long padLeft, float *restrict out, long outLength) {
    long lo = padLeft;  // first frame with every tap inside
    long hi = inLength + padLeft - (taps - 1) * dilation;
    if (hi > outLength) hi = outLength;
    if (lo > hi) lo = hi = 0;
    for (long t = 0; t < outLength; t++) {
        if (t == lo) {
            for (; t + 16 <= hi; t += 16) {
                float acc[16];
                for (int j = 0; j < 16; j++) acc[j] = out[t + j];
                for (long k = 0; k < taps; k++) {
                    const float wk = w[k];
                    const float *restrict xs = x + t + k * dilation - padLeft;
                    for (int j = 0; j < 16; j++) acc[j] += wk * xs[j];
                }
                for (int j = 0; j < 16; j++) out[t + j] = acc[j];
            }
            if (t >= outLength) break;
        }
        float s = out[t];
        for (long k = 0; k < taps; k++) {
            const long i = t + k * dilation - padLeft;
            if (i >= 0 && i < inLength) s += w[k] * x[i];
        }
        out[t] = s;
    }
}

// The weight gradient of conv_row_body, accumulated: dw[k] += sum_t dy[t] * x[t + k * dilation - padLeft].
SK_INLINE void correlate_row_body(const float *restrict x, long inLength, const float *restrict dy, long outLength,
                                  long taps, long dilation, long padLeft, float *restrict dw) {
#if defined(__clang__)
#pragma clang fp reassociate(on)
#endif
    for (long k = 0; k < taps; k++) {
        const long offset = k * dilation - padLeft;
        long lo = offset < 0 ? -offset : 0;
        long hi = inLength - offset < outLength ? inLength - offset : outLength;
        float s = 0.0f;
        for (long t = lo; t < hi; t++) s += dy[t] * x[t + offset];
        dw[k] += s;
    }
}

// e^x, Cephes expf polynomial with Cody-Waite reduction, branch-free (vectorizes); inputs clamped to
// [-87.3, 88.3]. The same approximation as TensorCore's FastMath.exp.
SK_INLINE float fast_exp(float x) {
    float xc = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
    const float magic = 12582912.0f;
    float shifted = xc * 1.44269504f + magic;
    float n = shifted - magic;
    float r = (xc - n * 0.693359375f) + n * 2.1219444e-4f;
    float p = 1.98756915e-4f;
    p = p * r + 1.39819995e-3f;
    p = p * r + 8.3334519e-3f;
    p = p * r + 4.16665796e-2f;
    p = p * r + 1.66666655e-1f;
    p = p * r + 5.00000012e-1f;
    float y = p * (r * r) + r + 1.0f;
    union { float f; unsigned u; } s = {shifted}, m = {magic}, scale;
    scale.u = (s.u - m.u + 127u) << 23;
    return y * scale.f;
}

SK_INLINE void bias_activation_body(float *restrict o, long rows, long columns, const float *restrict bias,
                                    int activation, float slope) {
    for (long r = 0; r < rows; r++) {
        float *restrict row = o + r * columns;
        if (bias) {
            for (long c = 0; c < columns; c++) row[c] += bias[c];
        }
        switch (activation) {
        case 1:
            for (long c = 0; c < columns; c++) row[c] = row[c] > 0 ? row[c] : 0;
            break;
        case 2:
            for (long c = 0; c < columns; c++) row[c] = row[c] / (1.0f + fast_exp(-row[c]));
            break;
        case 3:
            for (long c = 0; c < columns; c++) row[c] = 1.0f / (1.0f + fast_exp(-row[c]));
            break;
        case 4:
            for (long c = 0; c < columns; c++) row[c] = row[c] > 0 ? row[c] * row[c] : 0;
            break;
        case 5:
            for (long c = 0; c < columns; c++) row[c] = row[c] > 0 ? row[c] : slope * row[c];
            break;
        default:
            break;
        }
    }
}

SK_INLINE float fast_sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

SK_INLINE void sigmoid_gate_body(const float *restrict a, const float *restrict b, const float *restrict c,
                                 const float *restrict d, float *restrict out, long n) {
    for (long i = 0; i < n; i++) out[i] = a[i] * b[i] * fast_sigmoid(c[i] * d[i]);
}

SK_INLINE void sigmoid_gate_backward_body(const float *restrict g, const float *restrict a, const float *restrict b,
                                          const float *restrict c, const float *restrict d, float *restrict da,
                                          float *restrict db, float *restrict dc, float *restrict dd, long n) {
    for (long i = 0; i < n; i++) {
        const float s = fast_sigmoid(c[i] * d[i]);
        const float gs = g[i] * s;
        da[i] = gs * b[i];
        db[i] = gs * a[i];
        const float t = gs * a[i] * b[i] * (1.0f - s);
        dc[i] = t * d[i];
        dd[i] = t * c[i];
    }
}

SK_INLINE void activation_body(const float *restrict x, float *restrict y, long n, int activation) {
    switch (activation) {
    case 2:
        for (long i = 0; i < n; i++) y[i] = x[i] / (1.0f + fast_exp(-x[i]));
        break;
    case 3:
        for (long i = 0; i < n; i++) y[i] = fast_sigmoid(x[i]);
        break;
    default:
        for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
        break;
    }
}

SK_INLINE void activation_gradient_body(const float *restrict x, const float *restrict g, float *restrict dx, long n,
                                        int activation) {
    switch (activation) {
    case 2:
        for (long i = 0; i < n; i++) {
            const float s = fast_sigmoid(x[i]);
            dx[i] = g[i] * s * (1.0f + x[i] * (1.0f - s));
        }
        break;
    case 3:
        for (long i = 0; i < n; i++) {
            const float s = fast_sigmoid(x[i]);
            dx[i] = g[i] * s * (1.0f - s);
        }
        break;
    default:
        for (long i = 0; i < n; i++) dx[i] = x[i] > 0 ? g[i] : 0;
        break;
    }
}

// ---------------------------------------------------------------------------------------------------------
// Instantiations per instruction set.

#if SK_X86
#define SK_VARIANTS(X) X(avx512, "avx512f,avx2,fma") X(avx2, "avx2,fma")
#else
#define SK_VARIANTS(X)
#endif

#define SK_DEFINE(name, isa)                                                                                   \
    __attribute__((target(isa))) static void depthwise_forward_##name(                                        \
        const float *x, long first, const float *w, float *out, long frames, long channels, long taps,          \
        long dilation, int residual, long t0, long t1) {                                                       \
        depthwise_forward_body(x, first, w, out, frames, channels, taps, dilation, residual, t0, t1,         \
                               SK_WIDE_##name);                                                        \
    }                                                                                                          \
    __attribute__((target(isa))) static void depthwise_weight_gradient_##name(                                \
        const float *x, const float *dy, float *dw, long frames, long channels, long taps, long dilation,       \
        long c0, long c1) {                                                                                    \
        depthwise_weight_gradient_body(x, dy, dw, frames, channels, taps, dilation, c0, c1);                  \
    }                                                                                                          \
    __attribute__((target(isa))) static void bias_activation_##name(float *o, long rows, long columns,        \
                                                                    const float *bias, int activation,        \
                                                                    float slope) {                            \
        bias_activation_body(o, rows, columns, bias, activation, slope);                                       \
    }                                                                                                          \
    __attribute__((target(isa))) static void conv_row_##name(const float *x, long inLength, const float *w,    \
                                                             long taps, long dilation, long padLeft, float *out, \
                                                             long outLength) {                                 \
        conv_row_body(x, inLength, w, taps, dilation, padLeft, out, outLength);                               \
    }                                                                                                          \
    __attribute__((target(isa))) static void sigmoid_gate_##name(const float *a, const float *b, const float *c, \
                                                                 const float *d, float *out, long n) {         \
        sigmoid_gate_body(a, b, c, d, out, n);                                                                 \
    }                                                                                                          \
    __attribute__((target(isa))) static void sigmoid_gate_backward_##name(                                    \
        const float *g, const float *a, const float *b, const float *c, const float *d, float *da, float *db,   \
        float *dc, float *dd, long n) {                                                                        \
        sigmoid_gate_backward_body(g, a, b, c, d, da, db, dc, dd, n);                                          \
    }                                                                                                          \
    __attribute__((target(isa))) static void activation_##name(const float *x, float *y, long n, int act) {    \
        activation_body(x, y, n, act);                                                                         \
    }                                                                                                          \
    __attribute__((target(isa))) static void activation_gradient_##name(const float *x, const float *g,       \
                                                                        float *dx, long n, int act) {          \
        activation_gradient_body(x, g, dx, n, act);                                                            \
    }                                                                                                          \
    __attribute__((target(isa))) static void correlate_row_##name(const float *x, long inLength, const float *dy, \
                                                                  long outLength, long taps, long dilation,    \
                                                                  long padLeft, float *dw) {                   \
        correlate_row_body(x, inLength, dy, outLength, taps, dilation, padLeft, dw);                          \
    }

SK_VARIANTS(SK_DEFINE)

static void depthwise_forward_baseline(const float *x, long first, const float *w, float *out, long frames,
                                       long channels, long taps, long dilation, int residual, long t0, long t1) {
    depthwise_forward_body(x, first, w, out, frames, channels, taps, dilation, residual, t0, t1, 0);
}
static void depthwise_weight_gradient_baseline(const float *x, const float *dy, float *dw, long frames,
                                               long channels, long taps, long dilation, long c0, long c1) {
    depthwise_weight_gradient_body(x, dy, dw, frames, channels, taps, dilation, c0, c1);
}
static void bias_activation_baseline(float *o, long rows, long columns, const float *bias, int activation,
                                     float slope) {
    bias_activation_body(o, rows, columns, bias, activation, slope);
}
static void conv_row_baseline(const float *x, long inLength, const float *w, long taps, long dilation, long padLeft,
                              float *out, long outLength) {
    conv_row_body(x, inLength, w, taps, dilation, padLeft, out, outLength);
}
static void sigmoid_gate_baseline(const float *a, const float *b, const float *c, const float *d, float *out, long n) {
    sigmoid_gate_body(a, b, c, d, out, n);
}
static void sigmoid_gate_backward_baseline(const float *g, const float *a, const float *b, const float *c,
                                           const float *d, float *da, float *db, float *dc, float *dd, long n) {
    sigmoid_gate_backward_body(g, a, b, c, d, da, db, dc, dd, n);
}
static void activation_baseline(const float *x, float *y, long n, int act) { activation_body(x, y, n, act); }
static void activation_gradient_baseline(const float *x, const float *g, float *dx, long n, int act) {
    activation_gradient_body(x, g, dx, n, act);
}
static void correlate_row_baseline(const float *x, long inLength, const float *dy, long outLength, long taps,
                                   long dilation, long padLeft, float *dw) {
    correlate_row_body(x, inLength, dy, outLength, taps, dilation, padLeft, dw);
}

// ---------------------------------------------------------------------------------------------------------
// Dispatch, resolved once when the library is loaded.

static void (*forward_impl)(const float *, long, const float *, float *, long, long, long, long, int, long, long) =
    depthwise_forward_baseline;
static void (*weight_gradient_impl)(const float *, const float *, float *, long, long, long, long, long, long) =
    depthwise_weight_gradient_baseline;
static void (*bias_activation_impl)(float *, long, long, const float *, int, float) = bias_activation_baseline;
static void (*conv_row_impl)(const float *, long, const float *, long, long, long, float *, long) = conv_row_baseline;
static void (*correlate_row_impl)(const float *, long, const float *, long, long, long, long, float *) =
    correlate_row_baseline;
static void (*sigmoid_gate_impl)(const float *, const float *, const float *, const float *, float *, long) =
    sigmoid_gate_baseline;
static void (*sigmoid_gate_backward_impl)(const float *, const float *, const float *, const float *, const float *,
                                          float *, float *, float *, float *, long) = sigmoid_gate_backward_baseline;
static void (*activation_impl)(const float *, float *, long, int) = activation_baseline;
static void (*activation_gradient_impl)(const float *, const float *, float *, long, int) = activation_gradient_baseline;
static const char *isa_name = "baseline";

__attribute__((constructor)) static void sk_select_kernels(void) {
#if SK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        forward_impl = depthwise_forward_avx512;
        weight_gradient_impl = depthwise_weight_gradient_avx512;
        bias_activation_impl = bias_activation_avx512;
        conv_row_impl = conv_row_avx512;
        correlate_row_impl = correlate_row_avx512;
        sigmoid_gate_impl = sigmoid_gate_avx512;
        activation_impl = activation_avx512;
        activation_gradient_impl = activation_gradient_avx512;
        sigmoid_gate_backward_impl = sigmoid_gate_backward_avx512;
        isa_name = "avx512f";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        forward_impl = depthwise_forward_avx2;
        weight_gradient_impl = depthwise_weight_gradient_avx2;
        bias_activation_impl = bias_activation_avx2;
        conv_row_impl = conv_row_avx2;
        correlate_row_impl = correlate_row_avx2;
        sigmoid_gate_impl = sigmoid_gate_avx2;
        activation_impl = activation_avx2;
        activation_gradient_impl = activation_gradient_avx2;
        sigmoid_gate_backward_impl = sigmoid_gate_backward_avx2;
        isa_name = "avx2";
    }
#endif
}

void sk_depthwise_forward(const float *x, long first, const float *w, float *out, long frames, long channels,
                          long taps, long dilation, int residual, long t0, long t1) {
    forward_impl(x, first, w, out, frames, channels, taps, dilation, residual, t0, t1);
}

void sk_depthwise_weight_gradient(const float *x, const float *dy, float *dw, long frames, long channels, long taps,
                                  long dilation, long c0, long c1) {
    weight_gradient_impl(x, dy, dw, frames, channels, taps, dilation, c0, c1);
}

void sk_bias_activation(float *o, long rows, long columns, const float *bias, int activation, float slope) {
    bias_activation_impl(o, rows, columns, bias, activation, slope);
}

void sk_conv_row(const float *x, long inLength, const float *w, long taps, long dilation, long padLeft, float *out,
                 long outLength) {
    conv_row_impl(x, inLength, w, taps, dilation, padLeft, out, outLength);
}

void sk_correlate_row(const float *x, long inLength, const float *dy, long outLength, long taps, long dilation,
                      long padLeft, float *dw) {
    correlate_row_impl(x, inLength, dy, outLength, taps, dilation, padLeft, dw);
}

void sk_sigmoid_gate(const float *a, const float *b, const float *c, const float *d, float *out, long n) {
    sigmoid_gate_impl(a, b, c, d, out, n);
}

void sk_sigmoid_gate_backward(const float *g, const float *a, const float *b, const float *c, const float *d,
                              float *da, float *db, float *dc, float *dd, long n) {
    sigmoid_gate_backward_impl(g, a, b, c, d, da, db, dc, dd, n);
}

void sk_activation(const float *x, float *y, long n, int activation) { activation_impl(x, y, n, activation); }

void sk_activation_gradient(const float *x, const float *g, float *dx, long n, int activation) {
    activation_gradient_impl(x, g, dx, n, activation);
}

const char *sk_kernel_isa(void) { return isa_name; }
