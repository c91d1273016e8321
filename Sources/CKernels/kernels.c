// Each kernel body is written once as a static inline function with plain loops over the contiguous channel
// axis (so the loop vectorizer handles them), then instantiated for three targets with the `target` attribute.
#include "CKernels.h"
#include <string.h>

#define SK_INLINE static inline __attribute__((always_inline))

// ---------------------------------------------------------------------------------------------------------
// Bodies.

SK_INLINE void depthwise_forward_body(const float *restrict x, const float *restrict w, float *restrict out,
                                      long frames, long channels, long taps, long dilation, int residual,
                                      long t0, long t1) {
    const long pad = dilation * (taps - 1) / 2;
    for (long t = t0; t < t1; t++) {
        float *restrict o = out + t * channels;
        if (residual) {
            memcpy(o, x + t * channels, (size_t)channels * sizeof(float));
        } else {
            memset(o, 0, (size_t)channels * sizeof(float));
        }
        for (long k = 0; k < taps; k++) {
            const long s = t + k * dilation - pad;
            if (s < 0 || s >= frames) continue;
            const float *restrict xs = x + s * channels;
            const float *restrict wk = w + k * channels;
            for (long c = 0; c < channels; c++) o[c] += wk[c] * xs[c];
        }
    }
}

SK_INLINE void depthwise_weight_gradient_body(const float *restrict x, const float *restrict dy, float *restrict dw,
                                              long frames, long channels, long taps, long dilation, long c0, long c1) {
    const long pad = dilation * (taps - 1) / 2;
    const long tile = 64;  // frames per tile: the tile's dy and x rows stay in L1/L2 across all taps
    for (long t0 = 0; t0 < frames; t0 += tile) {
        const long t1 = t0 + tile < frames ? t0 + tile : frames;
        for (long k = 0; k < taps; k++) {
            const long offset = k * dilation - pad;
            long lo = t0 > -offset ? t0 : -offset;
            long hi = t1 < frames - offset ? t1 : frames - offset;
            float *restrict dwk = dw + k * channels;
            for (long t = lo; t < hi; t++) {
                const float *restrict g = dy + t * channels;
                const float *restrict xs = x + (t + offset) * channels;
                for (long c = c0; c < c1; c++) dwk[c] += g[c] * xs[c];
            }
        }
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
                                    int activation) {
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
        default:
            break;
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Instantiations per instruction set.

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SK_X86 1
#define SK_VARIANTS(X) X(avx512, "avx512f,avx2,fma") X(avx2, "avx2,fma")
#else
#define SK_X86 0
#define SK_VARIANTS(X)
#endif

#define SK_DEFINE(name, isa)                                                                                   \
    __attribute__((target(isa))) static void depthwise_forward_##name(                                        \
        const float *x, const float *w, float *out, long frames, long channels, long taps, long dilation,       \
        int residual, long t0, long t1) {                                                                      \
        depthwise_forward_body(x, w, out, frames, channels, taps, dilation, residual, t0, t1);                \
    }                                                                                                          \
    __attribute__((target(isa))) static void depthwise_weight_gradient_##name(                                \
        const float *x, const float *dy, float *dw, long frames, long channels, long taps, long dilation,       \
        long c0, long c1) {                                                                                    \
        depthwise_weight_gradient_body(x, dy, dw, frames, channels, taps, dilation, c0, c1);                  \
    }                                                                                                          \
    __attribute__((target(isa))) static void bias_activation_##name(float *o, long rows, long columns,        \
                                                                    const float *bias, int activation) {      \
        bias_activation_body(o, rows, columns, bias, activation);                                              \
    }

SK_VARIANTS(SK_DEFINE)

static void depthwise_forward_baseline(const float *x, const float *w, float *out, long frames, long channels,
                                       long taps, long dilation, int residual, long t0, long t1) {
    depthwise_forward_body(x, w, out, frames, channels, taps, dilation, residual, t0, t1);
}
static void depthwise_weight_gradient_baseline(const float *x, const float *dy, float *dw, long frames,
                                               long channels, long taps, long dilation, long c0, long c1) {
    depthwise_weight_gradient_body(x, dy, dw, frames, channels, taps, dilation, c0, c1);
}
static void bias_activation_baseline(float *o, long rows, long columns, const float *bias, int activation) {
    bias_activation_body(o, rows, columns, bias, activation);
}

// ---------------------------------------------------------------------------------------------------------
// Dispatch, resolved once when the library is loaded.

static void (*forward_impl)(const float *, const float *, float *, long, long, long, long, int, long, long) =
    depthwise_forward_baseline;
static void (*weight_gradient_impl)(const float *, const float *, float *, long, long, long, long, long, long) =
    depthwise_weight_gradient_baseline;
static void (*bias_activation_impl)(float *, long, long, const float *, int) = bias_activation_baseline;
static const char *isa_name = "baseline";

__attribute__((constructor)) static void sk_select_kernels(void) {
#if SK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        forward_impl = depthwise_forward_avx512;
        weight_gradient_impl = depthwise_weight_gradient_avx512;
        bias_activation_impl = bias_activation_avx512;
        isa_name = "avx512f";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        forward_impl = depthwise_forward_avx2;
        weight_gradient_impl = depthwise_weight_gradient_avx2;
        bias_activation_impl = bias_activation_avx2;
        isa_name = "avx2";
    }
#endif
}

void sk_depthwise_forward(const float *x, const float *w, float *out, long frames, long channels, long taps,
                          long dilation, int residual, long t0, long t1) {
    forward_impl(x, w, out, frames, channels, taps, dilation, residual, t0, t1);
}

void sk_depthwise_weight_gradient(const float *x, const float *dy, float *dw, long frames, long channels, long taps,
                                  long dilation, long c0, long c1) {
    weight_gradient_impl(x, dy, dw, frames, channels, taps, dilation, c0, c1);
}

void sk_bias_activation(float *o, long rows, long columns, const float *bias, int activation) {
    bias_activation_impl(o, rows, columns, bias, activation);
}

const char *sk_kernel_isa(void) { return isa_name; }
