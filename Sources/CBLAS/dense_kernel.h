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
// Packed layout: panels of P columns, panel j holding W[p][Pj ..< Pj+P] for p = 0 ..< k (zero beyond
// n), i.e. packed[(j·k + p)·P + c], with P = 32 for the AVX-512 variant and P = 16 for AVX2, whose
// 6 × 16 register block then reads one contiguous stream of 64-byte rows per column group instead of
// every other 64 bytes of 128-byte rows (C harness, Zen 4, gen17 and latent networks in 64-row sweeps,
// machine loaded: ×1.07–1.08 per run, every run of ten faster; AVX-512 unchanged). Buffers are sized
// for P = 32 (NN's DenseKernel.packedCount), which holds either layout.
#pragma once
#define LS_AVX512_PANEL 32
#define LS_AVX2_PANEL 16
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

// Backward epilogue: g ⊙ f'(z) through the layer's stored output y (the same expression as
// NN's Kernels.activationBackward: y > 0 ? g : 0 for ReLU, y > 0 ? g : slope·g for LeakyReLU).
LS_AVX512 static inline __attribute__((always_inline)) __m512
ls_dense_derive(__m512 g, __m512 y, int activation, __m512 slope) {
    const __m512 zero = _mm512_setzero_ps();
    if (activation == LS_DENSE_RELU)
        return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(y, zero, _CMP_GT_OQ), g);
    if (activation == LS_DENSE_LEAKY)
        return _mm512_mask_mul_ps(g, _mm512_cmp_ps_mask(y, zero, _CMP_NGT_UQ), g, slope);
    return g;
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
               float *y, __mmask16 m0, __mmask16 m1, int activation, __m512 slope,
               const int backward, const float *act, float *bsum) {
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
    if (backward) {
        // y ← g ⊙ f'(act), and bsum += the R rows in row order (the caller visits row blocks in order).
        __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
        if (bsum) { s0 = _mm512_maskz_loadu_ps(m0, bsum); s1 = _mm512_maskz_loadu_ps(m1, bsum + 16); }
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m512 d0 = ls_dense_derive(a0[r], _mm512_maskz_loadu_ps(m0, act + r * n), activation, slope);
            const __m512 d1 = ls_dense_derive(a1[r], _mm512_maskz_loadu_ps(m1, act + r * n + 16), activation, slope);
            _mm512_mask_storeu_ps(y + r * n, m0, d0);
            _mm512_mask_storeu_ps(y + r * n + 16, m1, d1);
            s0 = _mm512_add_ps(s0, d0);
            s1 = _mm512_add_ps(s1, d1);
        }
        if (bsum) { _mm512_mask_storeu_ps(bsum, m0, s0); _mm512_mask_storeu_ps(bsum + 16, m1, s1); }
        return;
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm512_mask_storeu_ps(y + r * n, m0, ls_dense_activate(a0[r], activation, slope));
        _mm512_mask_storeu_ps(y + r * n + 16, m1, ls_dense_activate(a1[r], activation, slope));
    }
}

// Rows r ..< r + R (R a compile-time constant after inlining) across the panels of columns < wide.
LS_AVX512 static inline __attribute__((always_inline)) void
ls_dense_strip(const int R, long r, long k, long n, long wide, const float *x, const float *packed, const float *bias,
               float *y, int activation, __m512 slope, const int backward, const float *act, float *bsum) {
    for (long j = 0; j < (wide + 31) / 32; j++) {
        __mmask16 m0, m1;
        ls_dense_masks(wide, j, &m0, &m1);
        ls_dense_block(R, k, n, x + r * k, packed + j * k * 32, bias + 32 * j, y + r * n + 32 * j, m0, m1, activation, slope,
                       backward, backward ? act + r * n + 32 * j : 0, backward && bsum ? bsum + 32 * j : 0);
    }
}

// A training backward step through a hidden layer, fused: dz (rows × n) = (g·Wᵀ) ⊙ f'(act), where
// g (rows × k) is the layer above's dZ, `packed` that layer's Wᵀ packed as above (k × n), `zeros`
// n zeros (the product's bias) and act (rows × n) this layer's stored output; with bsum (n floats,
// may be NULL) also bsum[c] += dz[0][c] + dz[1][c] + … in row order. Every value is bitwise the
// forward kernel's linear product followed by NN's activation-backward sweep (the twin:
// DenseKernel.referenceBackward), so the fusion changes no result; it saves the sweep's pass over
// the block.
LS_AVX512 static inline void
ls_dense_backward_avx512(long rows, long k, long n, const float *g, const float *packed, const float *zeros,
                         const float *act, float *dz, float *bsum, int activation, float slopeValue) {
    const __m512 slope = _mm512_set1_ps(slopeValue);
    long r = 0;
    for (; r + 12 <= rows; r += 12) ls_dense_strip(12, r, k, n, n, g, packed, zeros, dz, activation, slope, 1, act, bsum);
    for (; r + 4 <= rows; r += 4) ls_dense_strip(4, r, k, n, n, g, packed, zeros, dz, activation, slope, 1, act, bsum);
    for (; r < rows; r++) ls_dense_strip(1, r, k, n, n, g, packed, zeros, dz, activation, slope, 1, act, bsum);
}

#include "dense_kernel_avx2.h"
#include "dense_kernel_narrow.h"

// The same as ls_dense_forward_avx512, on AVX2 + FMA, with the same bits; W packed in panels of
// LS_AVX2_PANEL columns.
LS_AVX2 static inline void
ls_dense_forward_avx2(long rows, long k, long n, const float *x, const float *packed, const float *bias,
                      float *y, int activation, float slopeValue) {
    ls_avx2_columns(rows, k, n, 0, x, packed, LS_AVX2_PANEL, bias, y, activation, slopeValue);
}

// y (rows × n, row-major) = f(x·W + b), x rows × k row-major, W packed in panels of LS_AVX512_PANEL
// columns. A last panel of 1 … 20 columns (128 → 17, 512 → 17, 128 → 4, 128 → 10) runs the AVX2 code
// (on this layout) instead: a 32-lane panel there wastes 40 % or more of its FMAs (Zen 4, 512 rows:
// AVX-512 panels 0.12–0.53 of the FMA peak on those layers, the AVX2 code 0.45–0.78; from 21 columns
// on the panel is as fast).
LS_AVX512 static inline void
ls_dense_forward_avx512(long rows, long k, long n, const float *x, const float *packed, const float *bias,
                        float *y, int activation, float slopeValue) {
    const __m512 slope = _mm512_set1_ps(slopeValue);
#ifndef LS_AVX512_NO_TAIL
    const long wide = n % 32 >= 1 && n % 32 <= 20 ? n - n % 32 : n;
#else
    const long wide = n;
#endif
    long r = 0;
    // Row blocks outermost: a block of x stays in L1 while every panel of W streams past it.
    if (wide > 0) {
        for (; r + 12 <= rows; r += 12) ls_dense_strip(12, r, k, n, wide, x, packed, bias, y, activation, slope, 0, 0, 0);
        for (; r + 4 <= rows; r += 4) ls_dense_strip(4, r, k, n, wide, x, packed, bias, y, activation, slope, 0, 0, 0);
        for (; r < rows; r++) ls_dense_strip(1, r, k, n, wide, x, packed, bias, y, activation, slope, 0, 0, 0);
    }
    if (wide < n) ls_avx2_columns(rows, k, n, wide, x, packed, LS_AVX512_PANEL, bias, y, activation, slopeValue);
}

// The same as ls_dense_backward_avx512, on AVX2 + FMA, with the same bits; Wᵀ packed in panels of
// LS_AVX2_PANEL columns.
LS_AVX2 static inline void
ls_dense_backward_avx2(long rows, long k, long n, const float *g, const float *packed, const float *zeros,
                       const float *act, float *dz, float *bsum, int activation, float slopeValue) {
    const __m256 slope = _mm256_set1_ps(slopeValue);
    for (long r = 0; r < rows; r += LS_AVX2_STRIP) {
        const long L = rows - r < LS_AVX2_STRIP ? rows - r : LS_AVX2_STRIP;
        ls_avx2_strip(L, k, n, n, g + r * k, packed, LS_AVX2_PANEL, zeros, dz + r * n, activation, slope, 1, act + r * n, bsum);
    }
}
#endif
