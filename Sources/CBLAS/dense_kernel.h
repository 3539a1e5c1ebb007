// The one BLAS-level kernel OpenBLAS lacks: a dense layer's inference forward with its weights
// packed once, y = f(x·W + b) in one pass (no zeroing pass, no packing per call, no separate
// bias+activation sweep). Two variants, AVX-512 and AVX2 + FMA, chosen at run time (the functions
// carry their own target attribute, so the rest of the build stays portable; Swift cannot express
// per-function targets).
//
// Every output y[r][c] is bias[c] followed by k fused multiply-adds in order p = 0, 1, …, k−1,
// whatever the row's position in its block: a row's result never depends on the batch it is in,
// and a scalar loop of fmaf calls in the same order (NN's reference twin) gives the same bits —
// as do both variants, so generated events are the same on AVX2 and AVX-512 machines.
//
// Packed layout: 32-column panels, panel j holding W[p][32j ..< 32j+32] for p = 0 ..< k
// (zero beyond n), i.e. packed[(j·k + p)·32 + c].
#pragma once
#if defined(__x86_64__)
#include <immintrin.h>

#define LS_DENSE_LINEAR 0
#define LS_DENSE_RELU 1
#define LS_DENSE_LEAKY 2

#define LS_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))

LS_AVX512 static inline __attribute__((always_inline)) __m512
ls_dense_activate(__m512 v, int activation, __m512 slope) {
    const __m512 zero = _mm512_setzero_ps();
    if (activation == LS_DENSE_RELU)   // v > 0 ? v : +0
        return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), v);
    if (activation == LS_DENSE_LEAKY)  // v > 0 ? v : slope·v (NaN stays NaN)
        return _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, zero, _CMP_NGT_UQ), v, slope);
    return v;
}

// Lanes of the panel starting at column 32j that hold columns < n: the low and high 16.
LS_AVX512 static inline __attribute__((always_inline)) void
ls_dense_masks(long n, long j, __mmask16 *m0, __mmask16 *m1) {
    const long left = n - 32 * j;
    *m0 = left >= 16 ? 0xFFFF : (__mmask16)((1u << left) - 1);
    *m1 = left >= 32 ? 0xFFFF : left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1);
}

// R rows (a compile-time constant after inlining) × one 32-column panel.
LS_AVX512 static inline __attribute__((always_inline)) void
ls_dense_block(const int R, long k, long n, const float *x, const float *panel, const float *bias,
               float *y, __mmask16 m0, __mmask16 m1, int activation, __m512 slope) {
    __m512 a0[12], a1[12];
    const __m512 b0 = _mm512_maskz_loadu_ps(m0, bias), b1 = _mm512_maskz_loadu_ps(m1, bias + 16);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) { a0[r] = b0; a1[r] = b1; }
    for (long p = 0; p < k; p++) {
        const __m512 w0 = _mm512_loadu_ps(panel + p * 32), w1 = _mm512_loadu_ps(panel + p * 32 + 16);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m512 v = _mm512_set1_ps(x[r * k + p]);
            a0[r] = _mm512_fmadd_ps(v, w0, a0[r]);
            a1[r] = _mm512_fmadd_ps(v, w1, a1[r]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm512_mask_storeu_ps(y + r * n, m0, ls_dense_activate(a0[r], activation, slope));
        _mm512_mask_storeu_ps(y + r * n + 16, m1, ls_dense_activate(a1[r], activation, slope));
    }
}

// Rows r ..< r + R (R a compile-time constant after inlining) across every panel.
LS_AVX512 static inline __attribute__((always_inline)) void
ls_dense_strip(const int R, long r, long k, long n, const float *x, const float *packed, const float *bias,
               float *y, int activation, __m512 slope) {
    for (long j = 0; j < (n + 31) / 32; j++) {
        __mmask16 m0, m1;
        ls_dense_masks(n, j, &m0, &m1);
        ls_dense_block(R, k, n, x + r * k, packed + j * k * 32, bias + 32 * j, y + r * n + 32 * j, m0, m1, activation, slope);
    }
}

// y (rows × n, row-major) = f(x·W + b), x rows × k row-major, W packed as above.
LS_AVX512 static inline void
ls_dense_forward_avx512(long rows, long k, long n, const float *x, const float *packed, const float *bias,
                        float *y, int activation, float slopeValue) {
    const __m512 slope = _mm512_set1_ps(slopeValue);
    long r = 0;
    // Row blocks outermost: a block of x stays in L1 while every panel of W streams past it.
    for (; r + 12 <= rows; r += 12) ls_dense_strip(12, r, k, n, x, packed, bias, y, activation, slope);
    for (; r + 4 <= rows; r += 4) ls_dense_strip(4, r, k, n, x, packed, bias, y, activation, slope);
    for (; r < rows; r++) ls_dense_strip(1, r, k, n, x, packed, bias, y, activation, slope);
}

#define LS_AVX2 __attribute__((target("avx2,fma")))

LS_AVX2 static inline __attribute__((always_inline)) __m256
ls_dense_activate8(__m256 v, int activation, __m256 slope) {
    const __m256 zero = _mm256_setzero_ps();
    if (activation == LS_DENSE_RELU)   // v > 0 ? v : +0
        return _mm256_and_ps(v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
    if (activation == LS_DENSE_LEAKY)  // v > 0 ? v : slope·v (NaN stays NaN)
        return _mm256_blendv_ps(_mm256_mul_ps(v, slope), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
    return v;
}

// R rows × 16 columns (half h of a 32-column panel): 2R accumulators of 8 lanes.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_dense_block8(const int R, long k, long n, const float *x, const float *half, const float *bias,
                float *y, __m256i m0, __m256i m1, int activation, __m256 slope) {
    __m256 a0[6], a1[6];
    const __m256 b0 = _mm256_maskload_ps(bias, m0), b1 = _mm256_maskload_ps(bias + 8, m1);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) { a0[r] = b0; a1[r] = b1; }
    for (long p = 0; p < k; p++) {
        const __m256 w0 = _mm256_loadu_ps(half + p * 32), w1 = _mm256_loadu_ps(half + p * 32 + 8);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m256 v = _mm256_broadcast_ss(x + r * k + p);
            a0[r] = _mm256_fmadd_ps(v, w0, a0[r]);
            a1[r] = _mm256_fmadd_ps(v, w1, a1[r]);
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm256_maskstore_ps(y + r * n, m0, ls_dense_activate8(a0[r], activation, slope));
        _mm256_maskstore_ps(y + r * n + 8, m1, ls_dense_activate8(a1[r], activation, slope));
    }
}

// Lane masks of the 16 columns starting at column c0 that are < n (all-ones lanes are stored).
LS_AVX2 static inline __attribute__((always_inline)) void
ls_dense_masks8(long n, long c0, __m256i *m0, __m256i *m1) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const long left = n - c0;
    const int l0 = left >= 8 ? 8 : (int)left, l1 = left >= 16 ? 8 : left <= 8 ? 0 : (int)(left - 8);
    *m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(l0), lane);
    *m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(l1), lane);
}

// Rows r ..< r + R across every 16-column half panel (R constant after inlining).
LS_AVX2 static inline __attribute__((always_inline)) void
ls_dense_strip8(const int R, long r, long k, long n, const float *x, const float *packed, const float *bias,
                float *y, int activation, __m256 slope) {
    for (long h = 0; h < (n + 15) / 16; h++) {
        __m256i m0, m1;
        ls_dense_masks8(n, 16 * h, &m0, &m1);
        ls_dense_block8(R, k, n, x + r * k, packed + (h / 2) * k * 32 + (h % 2) * 16, bias + 16 * h,
                        y + r * n + 16 * h, m0, m1, activation, slope);
    }
}

// The same as ls_dense_forward_avx512, on AVX2 + FMA, with the same bits.
LS_AVX2 static inline void
ls_dense_forward_avx2(long rows, long k, long n, const float *x, const float *packed, const float *bias,
                      float *y, int activation, float slopeValue) {
    const __m256 slope = _mm256_set1_ps(slopeValue);
    long r = 0;
    for (; r + 6 <= rows; r += 6) ls_dense_strip8(6, r, k, n, x, packed, bias, y, activation, slope);
    for (; r < rows; r++) ls_dense_strip8(1, r, k, n, x, packed, bias, y, activation, slope);
}
#endif
