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

// Rows r ..< r + R (R a compile-time constant after inlining) across every panel.
LS_AVX512 static inline __attribute__((always_inline)) void
ls_dense_strip(const int R, long r, long k, long n, const float *x, const float *packed, const float *bias,
               float *y, int activation, __m512 slope, const int backward, const float *act, float *bsum) {
    for (long j = 0; j < (n + 31) / 32; j++) {
        __mmask16 m0, m1;
        ls_dense_masks(n, j, &m0, &m1);
        ls_dense_block(R, k, n, x + r * k, packed + j * k * 32, bias + 32 * j, y + r * n + 32 * j, m0, m1, activation, slope,
                       backward, backward ? act + r * n + 32 * j : 0, backward && bsum ? bsum + 32 * j : 0);
    }
}

// y (rows × n, row-major) = f(x·W + b), x rows × k row-major, W packed as above.
LS_AVX512 static inline void
ls_dense_forward_avx512(long rows, long k, long n, const float *x, const float *packed, const float *bias,
                        float *y, int activation, float slopeValue) {
    const __m512 slope = _mm512_set1_ps(slopeValue);
    long r = 0;
    // Row blocks outermost: a block of x stays in L1 while every panel of W streams past it.
    for (; r + 12 <= rows; r += 12) ls_dense_strip(12, r, k, n, x, packed, bias, y, activation, slope, 0, 0, 0);
    for (; r + 4 <= rows; r += 4) ls_dense_strip(4, r, k, n, x, packed, bias, y, activation, slope, 0, 0, 0);
    for (; r < rows; r++) ls_dense_strip(1, r, k, n, x, packed, bias, y, activation, slope, 0, 0, 0);
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
    for (; r + 12 <= rows; r += 12) ls_dense_strip(12, r, k, n, g, packed, zeros, dz, activation, slope, 1, act, bsum);
    for (; r + 4 <= rows; r += 4) ls_dense_strip(4, r, k, n, g, packed, zeros, dz, activation, slope, 1, act, bsum);
    for (; r < rows; r++) ls_dense_strip(1, r, k, n, g, packed, zeros, dz, activation, slope, 1, act, bsum);
}

#define LS_AVX2 __attribute__((target("avx2,fma")))

// AVX2 + FMA: 16 ymm registers of 8 lanes. Register blocking: 6 rows × 16 columns (12
// accumulators, 2 weight vectors, 1 broadcast: 15 registers; 8 loads per 12 FMAs), and for a
// layer's last group of 1 … 8 columns 12 rows × 8 columns (12 accumulators, 1 weight vector, 1
// broadcast), so a narrow layer (n = 4, 8, 10, 17) does not run 16 lanes per column it needs.
// Rows go in strips of 12, and each 16-column group runs both 6-row blocks of a strip back to
// back, so its weights come from L1 the second time. Full groups load the bias and store without
// masks (AMD runs a masked ymm store as microcode: it cost the old kernel most of a narrow
// layer's time); a partial group masks only its bias load and stores through a small buffer.
// (Copying a strip's x p-major first, one pointer with constant offsets for the broadcasts,
// measured 5–10 % slower than reading the rows in place.)
#define LS_AVX2_STRIP 12

LS_AVX2 static inline __attribute__((always_inline)) __m256
ls_dense_activate8(__m256 v, int activation, __m256 slope) {
    const __m256 zero = _mm256_setzero_ps();
    if (activation == LS_DENSE_RELU)   // v > 0 ? v : +0
        return _mm256_and_ps(v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
    if (activation == LS_DENSE_LEAKY)  // v > 0 ? v : slope·v (NaN stays NaN)
        return _mm256_blendv_ps(_mm256_mul_ps(v, slope), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
    return v;
}

// The bias of `count` columns (lanes from count on are 0; count ≤ 0: none).
LS_AVX2 static inline __attribute__((always_inline)) __m256
ls_avx2_bias(const float *bias, int count) {
    if (count >= 8) return _mm256_loadu_ps(bias);
    if (count <= 0) return _mm256_setzero_ps();
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_maskload_ps(bias, mask);
}

// Stores the first `count` lanes of f(v) (count ≤ 0: none).
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_store(float *y, __m256 v, int count, int activation, __m256 slope) {
    if (count <= 0) return;
    v = ls_dense_activate8(v, activation, slope);
    if (count >= 8) { _mm256_storeu_ps(y, v); return; }
    float lanes[8];
    _mm256_storeu_ps(lanes, v);
    for (int i = 0; i < count; i++) y[i] = lanes[i];
}

// Backward epilogue, as ls_dense_derive.
LS_AVX2 static inline __attribute__((always_inline)) __m256
ls_dense_derive8(__m256 g, __m256 y, int activation, __m256 slope) {
    const __m256 zero = _mm256_setzero_ps();
    if (activation == LS_DENSE_RELU)
        return _mm256_and_ps(g, _mm256_cmp_ps(y, zero, _CMP_GT_OQ));
    if (activation == LS_DENSE_LEAKY)
        return _mm256_blendv_ps(_mm256_mul_ps(g, slope), g, _mm256_cmp_ps(y, zero, _CMP_GT_OQ));
    return g;
}

// Backward epilogue of one row's 8-column group: stores count lanes of g ⊙ f'(act) to dz and
// returns s + them (lanes beyond count are never stored).
LS_AVX2 static inline __attribute__((always_inline)) __m256
ls_avx2_store_dz(float *dz, __m256 g, const float *act, __m256 s, int count, int activation, __m256 slope) {
    if (count <= 0) return s;
    const __m256 d = ls_dense_derive8(g, ls_avx2_bias(act, count), activation, slope);
    ls_avx2_store(dz, d, count, LS_DENSE_LINEAR, slope);
    return _mm256_add_ps(s, d);
}

// R rows (R ≤ 6, constant after inlining) × 16 columns: x rows of k, the weights w[p·32 + c] (a
// 16-column half of a packed panel), `cols` (1 … 16) of them stored into rows of n.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_block16(const int R, long k, long n, const float *x, const float *w, const float *bias, float *y,
                int cols, int activation, __m256 slope, const int backward, const float *act, float *bsum) {
    __m256 a0[6], a1[6];
    const __m256 b0 = ls_avx2_bias(bias, cols), b1 = ls_avx2_bias(bias + 8, cols - 8);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) { a0[r] = b0; a1[r] = b1; }
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        const __m256 w0 = _mm256_loadu_ps(w + p * 32), w1 = _mm256_loadu_ps(w + p * 32 + 8);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            const __m256 v = _mm256_broadcast_ss(x + r * k + p);
            a0[r] = _mm256_fmadd_ps(v, w0, a0[r]);
            a1[r] = _mm256_fmadd_ps(v, w1, a1[r]);
        }
    }
    if (backward) {
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        if (bsum) { s0 = ls_avx2_bias(bsum, cols); s1 = ls_avx2_bias(bsum + 8, cols - 8); }
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) {
            s0 = ls_avx2_store_dz(y + r * n, a0[r], act + r * n, s0, cols, activation, slope);
            s1 = ls_avx2_store_dz(y + r * n + 8, a1[r], act + r * n + 8, s1, cols - 8, activation, slope);
        }
        if (bsum) { ls_avx2_store(bsum, s0, cols, LS_DENSE_LINEAR, slope); ls_avx2_store(bsum + 8, s1, cols - 8, LS_DENSE_LINEAR, slope); }
        return;
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        ls_avx2_store(y + r * n, a0[r], cols, activation, slope);
        ls_avx2_store(y + r * n + 8, a1[r], cols - 8, activation, slope);
    }
}

// R rows (R ≤ 12) × 8 columns, `cols` (1 … 8) of them stored: a layer's last group when n mod 16
// is 1 … 8.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_block8(const int R, long k, long n, const float *x, const float *w, const float *bias, float *y,
               int cols, int activation, __m256 slope, const int backward, const float *act, float *bsum) {
    __m256 a[12];
    const __m256 b = ls_avx2_bias(bias, cols);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) a[r] = b;
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        const __m256 w0 = _mm256_loadu_ps(w + p * 32);
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) a[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(x + r * k + p), w0, a[r]);
    }
    if (backward) {
        __m256 s = bsum ? ls_avx2_bias(bsum, cols) : _mm256_setzero_ps();
#pragma clang loop unroll(full)
        for (int r = 0; r < R; r++) s = ls_avx2_store_dz(y + r * n, a[r], act + r * n, s, cols, activation, slope);
        if (bsum) ls_avx2_store(bsum, s, cols, LS_DENSE_LINEAR, slope);
        return;
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) ls_avx2_store(y + r * n, a[r], cols, activation, slope);
}

// L rows (L ≤ 12) across every column group: blocks of 6 (then 4, 2, 1) rows × 16 columns, the
// last group of ≤ 8 columns in blocks of 12 (then 8, 4, 2, 1) rows × 8.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_strip(long L, long k, long n, const float *x, const float *packed, const float *bias, float *y,
              int activation, __m256 slope, const int backward, const float *act, float *bsum) {
    for (long c = 0; c < n; c += 16) {
        const float *w = packed + (c / 32) * k * 32 + c % 32;
        const int cols = n - c >= 16 ? 16 : (int)(n - c);
        long r = 0;
#define LS_AVX2_AT(R) k, n, x + r * k, w, bias + c, y + r * n + c, cols, activation, slope, \
    backward, backward ? act + r * n + c : 0, backward && bsum ? bsum + c : 0
        if (cols > 8) {
            for (; r + 6 <= L; r += 6) ls_avx2_block16(6, LS_AVX2_AT(6));
            if (r + 4 <= L) { ls_avx2_block16(4, LS_AVX2_AT(4)); r += 4; }
            if (r + 2 <= L) { ls_avx2_block16(2, LS_AVX2_AT(2)); r += 2; }
            if (r < L) ls_avx2_block16(1, LS_AVX2_AT(1));
        } else {
            for (; r + 12 <= L; r += 12) ls_avx2_block8(12, LS_AVX2_AT(12));
            if (r + 8 <= L) { ls_avx2_block8(8, LS_AVX2_AT(8)); r += 8; }
            if (r + 4 <= L) { ls_avx2_block8(4, LS_AVX2_AT(4)); r += 4; }
            if (r + 2 <= L) { ls_avx2_block8(2, LS_AVX2_AT(2)); r += 2; }
            if (r < L) ls_avx2_block8(1, LS_AVX2_AT(1));
        }
#undef LS_AVX2_AT
    }
}

// The same as ls_dense_forward_avx512, on AVX2 + FMA, with the same bits.
LS_AVX2 static inline void
ls_dense_forward_avx2(long rows, long k, long n, const float *x, const float *packed, const float *bias,
                      float *y, int activation, float slopeValue) {
    const __m256 slope = _mm256_set1_ps(slopeValue);
    for (long r = 0; r < rows; r += LS_AVX2_STRIP) {
        const long L = rows - r < LS_AVX2_STRIP ? rows - r : LS_AVX2_STRIP;
        ls_avx2_strip(L, k, n, x + r * k, packed, bias, y + r * n, activation, slope, 0, 0, 0);
    }
}

// The same as ls_dense_backward_avx512, on AVX2 + FMA, with the same bits.
LS_AVX2 static inline void
ls_dense_backward_avx2(long rows, long k, long n, const float *g, const float *packed, const float *zeros,
                       const float *act, float *dz, float *bsum, int activation, float slopeValue) {
    const __m256 slope = _mm256_set1_ps(slopeValue);
    for (long r = 0; r < rows; r += LS_AVX2_STRIP) {
        const long L = rows - r < LS_AVX2_STRIP ? rows - r : LS_AVX2_STRIP;
        ls_avx2_strip(L, k, n, g + r * k, packed, zeros, dz + r * n, activation, slope, 1, act + r * n, bsum);
    }
}
#endif
