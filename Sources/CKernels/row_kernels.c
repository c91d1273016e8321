// Row-wise kernels of the fused inference paths (frames-first rows; `ld*` are row strides in floats, so a kernel
// can read or write a column block of a wider buffer). Row ranges [r0, r1) index rows from the base pointers,
// so callers split rows over threads without offsetting pointers. Bodies are written once (dispatch.h).
#include "CKernels.h"
#include "dispatch.h"
#include <math.h>

#define SK_CHUNK 64

SK_INLINE void scale_norm_rows_body(const float *restrict x, long ldx, float *restrict out, long ldo, long r0, long r1,
                                    long cols, long delayed, float gain, float eps, float *restrict norms) {
#if defined(__clang__)
#pragma clang fp reassociate(on)
#endif
    for (long r = r0; r < r1; r++) {
        const float *restrict cur = x + r * ldx;
        const float *restrict prev = x + (r - 1) * ldx;   // read only when r > 0
        const long shifted = r > 0 ? delayed : 0;
        float sq = 0.0f;
        for (long c = 0; c < shifted; c++) sq += prev[c] * prev[c];
        for (long c = delayed; c < cols; c++) sq += cur[c] * cur[c];
        const float rms = sqrtf(sq / (float)cols);
        if (norms) norms[r] = rms;
        const float scale = gain / (rms > eps ? rms : eps);
        float *restrict o = out + r * ldo;
        for (long c = 0; c < shifted; c++) o[c] = prev[c] * scale;
        for (long c = shifted; c < delayed; c++) o[c] = 0.0f;
        for (long c = delayed; c < cols; c++) o[c] = cur[c] * scale;
    }
}
SK_DISPATCH(scale_norm_rows,
            (const float *x, long ldx, float *out, long ldo, long r0, long r1, long cols, long delayed, float gain,
             float eps, float *norms),
            (x, ldx, out, ldo, r0, r1, cols, delayed, gain, eps, norms))

SK_INLINE void layer_norm_rows_body(const float *restrict x, long ldx, float *restrict out, long ldo, long r0, long r1,
                                    long cols, const float *restrict weight, const float *restrict bias, float eps,
                                    float *restrict means, float *restrict rstds) {
#if defined(__clang__)
#pragma clang fp reassociate(on)
#endif
    for (long r = r0; r < r1; r++) {
        const float *restrict row = x + r * ldx;
        float s = 0.0f;
        for (long c = 0; c < cols; c++) s += row[c];
        const float m = s / (float)cols;
        float q = 0.0f;
        for (long c = 0; c < cols; c++) {
            const float d = row[c] - m;
            q += d * d;
        }
        const float rstd = 1.0f / sqrtf(q / (float)cols + eps);
        if (means) means[r] = m;
        if (rstds) rstds[r] = rstd;
        float *restrict o = out + r * ldo;
        if (weight && bias) {
            for (long c = 0; c < cols; c++) o[c] = (row[c] - m) * rstd * weight[c] + bias[c];
        } else {
            for (long c = 0; c < cols; c++) o[c] = (row[c] - m) * rstd * (weight ? weight[c] : 1.0f) + (bias ? bias[c] : 0.0f);
        }
    }
}
SK_DISPATCH(layer_norm_rows,
            (const float *x, long ldx, float *out, long ldo, long r0, long r1, long cols, const float *weight,
             const float *bias, float eps, float *means, float *rstds),
            (x, ldx, out, ldo, r0, r1, cols, weight, bias, eps, means, rstds))

static const float zero_chunk[SK_CHUNK];

SK_INLINE void instance_norm_prelu_body(const float *restrict x, const float *restrict x2, long ldx, float *restrict out,
                                        long ldo, long frames, long c0, long c1, const float *restrict weight,
                                        const float *restrict bias, const float *restrict slopes, float eps) {
#if defined(__clang__)
#pragma clang fp reassociate(on)
#endif
    for (long c = c0; c < c1; c += SK_CHUNK) {
        const long n = c1 - c < SK_CHUNK ? c1 - c : SK_CHUNK;
        float mean[SK_CHUNK], var[SK_CHUNK], scale[SK_CHUNK], shift[SK_CHUNK];
        for (long j = 0; j < n; j++) mean[j] = var[j] = 0.0f;
        for (long t = 0; t < frames; t++) {
            const float *restrict a = x + t * ldx + c, *restrict b = x2 ? x2 + t * ldx + c : zero_chunk;
            for (long j = 0; j < n; j++) mean[j] += a[j] + b[j];
        }
        for (long j = 0; j < n; j++) mean[j] /= (float)frames;
        for (long t = 0; t < frames; t++) {
            const float *restrict a = x + t * ldx + c, *restrict b = x2 ? x2 + t * ldx + c : zero_chunk;
            for (long j = 0; j < n; j++) {
                const float d = a[j] + b[j] - mean[j];
                var[j] += d * d;
            }
        }
        for (long j = 0; j < n; j++) {
            const float rstd = 1.0f / sqrtf(var[j] / (float)frames + eps);
            scale[j] = rstd * (weight ? weight[c + j] : 1.0f);
            shift[j] = (bias ? bias[c + j] : 0.0f) - mean[j] * scale[j];
        }
        for (long t = 0; t < frames; t++) {
            const float *restrict a = x + t * ldx + c, *restrict b = x2 ? x2 + t * ldx + c : zero_chunk;
            float *restrict o = out + t * ldo + c;
            for (long j = 0; j < n; j++) {
                const float y = (a[j] + b[j]) * scale[j] + shift[j];
                o[j] = y > 0 ? y : slopes[c + j] * y;
            }
        }
    }
}
SK_DISPATCH(instance_norm_prelu,
            (const float *x, const float *x2, long ldx, float *out, long ldo, long frames, long c0, long c1,
             const float *weight, const float *bias, const float *slopes, float eps),
            (x, x2, ldx, out, ldo, frames, c0, c1, weight, bias, slopes, eps))

SK_INLINE void deinterleave_pairs_body(const float *restrict x, long ldx, float *restrict even, float *restrict odd,
                                       long ldo, long r0, long r1, long pairs) {
    for (long r = r0; r < r1; r++) {
        const float *restrict row = x + r * ldx;
        float *restrict e = even + r * ldo, *restrict o = odd + r * ldo;
        for (long p = 0; p < pairs; p++) {
            e[p] = row[2 * p];
            o[p] = row[2 * p + 1];
        }
    }
}
SK_DISPATCH(deinterleave_pairs, (const float *x, long ldx, float *even, float *odd, long ldo, long r0, long r1, long pairs),
            (x, ldx, even, odd, ldo, r0, r1, pairs))

SK_INLINE void affine_rows_body(const float *restrict x, long ldx, float *restrict out, long ldo, long r0, long r1,
                                long cols, const float *restrict scale, const float *restrict shift) {
    for (long r = r0; r < r1; r++) {
        const float *restrict row = x + r * ldx;
        float *restrict o = out + r * ldo;
        for (long c = 0; c < cols; c++) o[c] = row[c] * scale[c] + shift[c];
    }
}
SK_DISPATCH(affine_rows,
            (const float *x, long ldx, float *out, long ldo, long r0, long r1, long cols, const float *scale,
             const float *shift),
            (x, ldx, out, ldo, r0, r1, cols, scale, shift))

// In place allowed (out == x): each pair is read before it is written.
SK_INLINE void rotary_rows_body(const float *x, float *out, long r0, long r1, long frames, long features, long rot,
                                const float *restrict cosines, const float *restrict sines, float sign) {
    const long half = rot / 2;
    for (long r = r0; r < r1; r++) {
        const long p = r % frames;
        const float *row = x + r * features;
        float *o = out + r * features;
        const float *restrict cs = cosines + p * half, *restrict sn = sines + p * half;
        for (long j = 0; j < half; j++) {
            const float a = row[2 * j], b = row[2 * j + 1], c = cs[j], s = sign * sn[j];
            o[2 * j] = a * c - b * s;
            o[2 * j + 1] = b * c + a * s;
        }
        if (o != row) {
            for (long c = rot; c < features; c++) o[c] = row[c];
        }
    }
}
SK_DISPATCH(rotary_rows,
            (const float *x, float *out, long r0, long r1, long frames, long features, long rot, const float *cosines,
             const float *sines, float sign),
            (x, out, r0, r1, frames, features, rot, cosines, sines, sign))

SK_INLINE void gated_residual_body(const float *restrict gate, const float *restrict a, const float *restrict m,
                                   const float *restrict residual, float *restrict out, long n) {
    for (long i = 0; i < n; i++) out[i] = gate[i] * (a[i] + m[i]) + residual[i];
}
SK_DISPATCH(gated_residual, (const float *gate, const float *a, const float *m, const float *residual, float *out, long n),
            (gate, a, m, residual, out, n))
