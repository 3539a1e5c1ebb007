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
#ifndef LS_AVX2_NARROW_MAX
#define LS_AVX2_NARROW_MAX 4
#endif
#ifndef LS_AVX2_NARROW_MIN_K
#define LS_AVX2_NARROW_MIN_K 8
#endif

// LeakyReLU with 0 < slope ≤ 1 (the AVX2 variant's internal code for the usual case): one max instead
// of compare + blend.
#define LS_DENSE_LEAKY_MAX 3

// The activations on 8 lanes with the AVX-512 variant's bits. vmaxps returns its second operand when
// either is NaN or both are zeros, so max(v, +0) is v > 0 ? v : +0 (NaN → +0, as the compare), and for
// 0 < slope ≤ 1, max(slope·v, v) is v > 0 ? v : slope·v (v > 0: slope·v ≤ v, rounding keeps it;
// v < 0: slope·v ≥ v; ±0: slope·v is the same zero; NaN: v; −∞: slope·v = −∞).
LS_AVX2 static inline __attribute__((always_inline)) __m256
ls_dense_activate8(__m256 v, int activation, __m256 slope) {
    const __m256 zero = _mm256_setzero_ps();
    if (activation == LS_DENSE_RELU)   // v > 0 ? v : +0
        return _mm256_max_ps(v, zero);
    if (activation == LS_DENSE_LEAKY_MAX)
        return _mm256_max_ps(_mm256_mul_ps(v, slope), v);
    if (activation == LS_DENSE_LEAKY)  // v > 0 ? v : slope·v (NaN stays NaN), any slope
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
ls_avx2_strip(long L, long k, long n, long wide, const float *x, const float *packed, const float *bias, float *y,
              int activation, __m256 slope, const int backward, const float *act, float *bsum) {
    for (long c = 0; c < wide; c += 16) {
        const float *w = packed + (c / 32) * k * 32 + c % 32;
        const int cols = wide - c >= 16 ? 16 : (int)(wide - c);
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

// A layer's last 1 … 8 columns with the rows across the lanes ("narrow" path): 128 → 17, 512 → 17,
// 128 → 4 spend most of their time in the 12 × 8 block above, which runs 8 lanes for 1 … 4 useful
// columns. Here a block of 64 rows is transposed in registers (8 × 8 tiles), 32 inputs at a time,
// into xt[p][row]; each column then runs 8 accumulators of 8 rows (one broadcast weight per input,
// each x load shared by 2 … 3 columns when there are several). Every output is still bias[c] then
// the FMAs in order p (a chunk's sums wait in a small buffer, exactly), so the bits are the same.
#define LS_AVX2_NARROW_ROWS 64
#define LS_AVX2_NARROW_K 32

// Loads rows ≥ `rows` and inputs ≥ `count` as zero: an 8 × 8 tile of x (rows of k) transposed into
// out[p·64 + row].
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_transpose8(const float *x, long k, long rows, long count, float *out) {
    __m256 r0, r1, r2, r3, r4, r5, r6, r7;
    if (rows >= 8 && count >= 8) {
        r0 = _mm256_loadu_ps(x); r1 = _mm256_loadu_ps(x + k); r2 = _mm256_loadu_ps(x + 2 * k);
        r3 = _mm256_loadu_ps(x + 3 * k); r4 = _mm256_loadu_ps(x + 4 * k); r5 = _mm256_loadu_ps(x + 5 * k);
        r6 = _mm256_loadu_ps(x + 6 * k); r7 = _mm256_loadu_ps(x + 7 * k);
    } else {
        float tile[64] = {0};
        for (long r = 0; r < rows && r < 8; r++)
            for (long p = 0; p < count && p < 8; p++) tile[r * 8 + p] = x[r * k + p];
        r0 = _mm256_loadu_ps(tile); r1 = _mm256_loadu_ps(tile + 8); r2 = _mm256_loadu_ps(tile + 16);
        r3 = _mm256_loadu_ps(tile + 24); r4 = _mm256_loadu_ps(tile + 32); r5 = _mm256_loadu_ps(tile + 40);
        r6 = _mm256_loadu_ps(tile + 48); r7 = _mm256_loadu_ps(tile + 56);
    }
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    const long s = LS_AVX2_NARROW_ROWS;
    _mm256_storeu_ps(out, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(out + s, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(out + 2 * s, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(out + 3 * s, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(out + 4 * s, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(out + 5 * s, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(out + 6 * s, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(out + 7 * s, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// V vectors of 8 rows (from row vector v0 of the block) × C columns (V·C ≤ 12) over one chunk of
// `count` inputs: xt[p·64 + row], the columns' weights w[p·32 + c]; sums from `sums` (first chunk:
// the bias) and back to it, or (last chunk) activated into the rows of y that exist.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_narrow_group(const int V, const int C, long v0, long count, const float *xt, const float *w,
                     const float *bias, float *sums, int first, int last, float *y, long n, long rows,
                     int activation, __m256 slope) {
    __m256 a[12];
#pragma clang loop unroll(full)
    for (int c = 0; c < C; c++)
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++)
            a[c * V + v] = first ? _mm256_broadcast_ss(bias + c) : _mm256_loadu_ps(sums + c * LS_AVX2_NARROW_ROWS + 8 * (v0 + v));
#pragma clang loop unroll_count(2)
    for (long p = 0; p < count; p++) {
        __m256 xv[8];
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) xv[v] = _mm256_loadu_ps(xt + p * LS_AVX2_NARROW_ROWS + 8 * (v0 + v));
#pragma clang loop unroll(full)
        for (int c = 0; c < C; c++) {
            const __m256 wc = _mm256_broadcast_ss(w + p * 32 + c);
#pragma clang loop unroll(full)
            for (int v = 0; v < V; v++) a[c * V + v] = _mm256_fmadd_ps(xv[v], wc, a[c * V + v]);
        }
    }
#pragma clang loop unroll(full)
    for (int c = 0; c < C; c++)
#pragma clang loop unroll(full)
        for (int v = 0; v < V; v++) {
            const long row = 8 * (v0 + v);
            if (!last) { _mm256_storeu_ps(sums + c * LS_AVX2_NARROW_ROWS + row, a[c * V + v]); continue; }
            if (row >= rows) continue;
            float lanes[8];
            _mm256_storeu_ps(lanes, ls_dense_activate8(a[c * V + v], activation, slope));
            const long m = rows - row < 8 ? rows - row : 8;
            for (long i = 0; i < m; i++) y[(row + i) * n + c] = lanes[i];
        }
}

// Columns c0 ..< n (1 … 8 of them, inside one panel) of every row: see above.
LS_AVX2 static inline void
ls_avx2_narrow(long rows, long k, long n, long c0, const float *x, const float *packed, const float *bias,
               float *y, int activation, __m256 slope) {
    const float *w = packed + (c0 / 32) * k * 32 + c0 % 32;
    const int C = (int)(n - c0);
    float xt[LS_AVX2_NARROW_K * LS_AVX2_NARROW_ROWS] __attribute__((aligned(32)));
    float sums[16 * LS_AVX2_NARROW_ROWS] __attribute__((aligned(32)));
    // Row vectors past a short last block run on zeros (computed, never stored).
    for (long i = 0; i < LS_AVX2_NARROW_K * LS_AVX2_NARROW_ROWS; i += 8) _mm256_store_ps(xt + i, _mm256_setzero_ps());
    for (long r0 = 0; r0 < rows; r0 += LS_AVX2_NARROW_ROWS) {
        const long R = rows - r0 < LS_AVX2_NARROW_ROWS ? rows - r0 : LS_AVX2_NARROW_ROWS;
        const long vectors = (R + 7) / 8;
        for (long p0 = 0; p0 < k; p0 += LS_AVX2_NARROW_K) {
            const long count = k - p0 < LS_AVX2_NARROW_K ? k - p0 : LS_AVX2_NARROW_K;
            for (long v = 0; v < vectors; v++)
                for (long p = 0; p < count; p += 8)
                    ls_avx2_transpose8(x + (r0 + 8 * v) * k + p0 + p, k, R - 8 * v, count - p, xt + p * LS_AVX2_NARROW_ROWS + 8 * v);
            const int first = p0 == 0, last = p0 + count >= k;
            float *out = y + r0 * n + c0;
            const float *wp = w + p0 * 32;
            for (int c = 0; c < C;) {
                // 1 column: 8 vectors (8 chains cover the FMA latency); else 4 vectors × 2 or 3 columns.
                const int left = C - c;
                if (left == 1) {
                    if (vectors > 4) ls_avx2_narrow_group(8, 1, 0, count, xt, wp + c, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
                    else ls_avx2_narrow_group(4, 1, 0, count, xt, wp + c, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
                    c += 1;
                } else if (left == 2 || left == 4) {
                    for (long v0 = 0; v0 < vectors; v0 += 4)
                        ls_avx2_narrow_group(4, 2, v0, count, xt, wp + c, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
                    c += 2;
                } else {
                    for (long v0 = 0; v0 < vectors; v0 += 4)
                        ls_avx2_narrow_group(4, 3, v0, count, xt, wp + c, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
                    c += 3;
                }
            }
        }
    }
}

// Whether the narrow path runs a layer's last n mod 16 columns (measured faster on Zen 4 for these).
static inline int ls_avx2_uses_narrow(long rows, long k, long n) {
    const long tail = n % 16;
    return tail >= 1 && tail <= LS_AVX2_NARROW_MAX && k >= LS_AVX2_NARROW_MIN_K && rows >= 16;
}

// The AVX2 variant on columns c0 ..< n (c0 a multiple of 32): 16-column groups in strips of rows,
// a last group of 1 … 4 columns on the narrow path.
LS_AVX2 static inline void
ls_avx2_columns(long rows, long k, long n, long c0, const float *x, const float *packed, const float *bias,
                float *y, int activation, float slopeValue) {
    const __m256 slope = _mm256_set1_ps(slopeValue);
#ifndef LS_AVX2_NO_MAX
    if (activation == LS_DENSE_LEAKY && slopeValue > 0 && slopeValue <= 1) activation = LS_DENSE_LEAKY_MAX;
#endif
    const long wide = ls_avx2_uses_narrow(rows, k, n) ? n - n % 16 : n;
    const float *w = packed + (c0 / 32) * k * 32;
    for (long r = 0; r < rows && wide > c0; r += LS_AVX2_STRIP) {
        const long L = rows - r < LS_AVX2_STRIP ? rows - r : LS_AVX2_STRIP;
        ls_avx2_strip(L, k, n, wide - c0, x + r * k, w, bias + c0, y + r * n + c0, activation, slope, 0, 0, 0);
    }
    if (wide < n) ls_avx2_narrow(rows, k, n, wide, x, packed, bias, y, activation, slope);
}

// The same as ls_dense_forward_avx512, on AVX2 + FMA, with the same bits.
LS_AVX2 static inline void
ls_dense_forward_avx2(long rows, long k, long n, const float *x, const float *packed, const float *bias,
                      float *y, int activation, float slopeValue) {
    ls_avx2_columns(rows, k, n, 0, x, packed, bias, y, activation, slopeValue);
}

// y (rows × n, row-major) = f(x·W + b), x rows × k row-major, W packed as above. A last panel of
// 1 … 20 columns (128 → 17, 512 → 17, 128 → 4, 128 → 10) runs the AVX2 code instead: a 32-lane
// panel there wastes 40 % or more of its FMAs (Zen 4, 512 rows: AVX-512 panels 0.12–0.53 of the
// FMA peak on those layers, the AVX2 code 0.45–0.78; from 21 columns on the panel is as fast).
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
    if (wide < n) ls_avx2_columns(rows, k, n, wide, x, packed, bias, y, activation, slopeValue);
}

// The same as ls_dense_backward_avx512, on AVX2 + FMA, with the same bits.
LS_AVX2 static inline void
ls_dense_backward_avx2(long rows, long k, long n, const float *g, const float *packed, const float *zeros,
                       const float *act, float *dz, float *bsum, int activation, float slopeValue) {
    const __m256 slope = _mm256_set1_ps(slopeValue);
    for (long r = 0; r < rows; r += LS_AVX2_STRIP) {
        const long L = rows - r < LS_AVX2_STRIP ? rows - r : LS_AVX2_STRIP;
        ls_avx2_strip(L, k, n, n, g + r * k, packed, zeros, dz + r * n, activation, slope, 1, act + r * n, bsum);
    }
}
#endif
