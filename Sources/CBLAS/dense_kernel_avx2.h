// The AVX2 + FMA blocks and strips of the packed dense kernel.
// Part of dense_kernel.h (the header comment there states the layout and the bit-for-bit contract);
// included from it inside its x86_64 guard, not on its own.
#pragma once

#define LS_AVX2 __attribute__((target("avx2,fma")))

// AVX2 + FMA: 16 ymm registers of 8 lanes. Register blocking: 6 rows × 16 columns (12
// accumulators, 2 weight vectors, 1 broadcast: 15 registers; 8 loads per 12 FMAs), and for a
// layer's last group of 1 … 8 columns 12 rows × 8 columns (12 accumulators, 1 weight vector, 1
// broadcast), so a narrow layer (n = 4, 8, 10, 17) does not run 16 lanes per column it needs.
// Rows go in strips of 48, and each 16-column group runs the strip's 6-row blocks back to back,
// so its weights (k × 64 bytes) come from L2 once per 48 rows and from L1 for the other 7 blocks.
// Strips of 12 read every weight from L2 (or L3, once training's 512-row operands have evicted it)
// for every 12 rows: on the GAN step's products in step order (C harness, Zen 4, 512 rows, thread
// CPU time, machine loaded), 48-row strips ran the input-gradient products ×1.11–1.16 and the
// forward ×1.03 faster (strips of 24: ×1.05 and ×1.06; 64 … 512: like 48), and generation's 64-row
// sweeps the same (×0.98–1.02). The backward blocks also prefetch the rows of the layer's stored
// output their epilogue reads (another ×1.06 on those products). Full groups load the bias and store without
// masks (AMD runs a masked ymm store as microcode: it cost the old kernel most of a narrow
// layer's time); a partial group masks only its bias load and stores through a small buffer.
// (Copying a strip's x p-major first, one pointer with constant offsets for the broadcasts,
// measured 5–10 % slower than reading the rows in place.)
#define LS_AVX2_STRIP 48
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

// Asks for the cache lines of `width` floats at the start of R rows (of n) before a backward block's
// k FMAs, so its epilogue's loads of the stored output do not wait on L2 or memory at the end.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_prefetch_rows(const int R, const float *rows, long n, const int width) {
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        _mm_prefetch((const char *)(rows + r * n), _MM_HINT_T0);
        _mm_prefetch((const char *)(rows + r * n + width - 1), _MM_HINT_T0);
    }
}

// R rows (R ≤ 6, constant after inlining) × 16 columns: x rows of k, the weights w[p·pw + c] (a
// 16-column panel, or half of a 32-column one), `cols` (1 … 16) of them stored into rows of n.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_block16(const int R, long k, long n, const float *x, const float *w, const long pw, const float *bias, float *y,
                int cols, int activation, __m256 slope, const int backward, const float *act, float *bsum) {
    __m256 a0[6], a1[6];
    const __m256 b0 = ls_avx2_bias(bias, cols), b1 = ls_avx2_bias(bias + 8, cols - 8);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) { a0[r] = b0; a1[r] = b1; }
    if (backward) ls_avx2_prefetch_rows(R, act, n, 16);
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        const __m256 w0 = _mm256_loadu_ps(w + p * pw), w1 = _mm256_loadu_ps(w + p * pw + 8);
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
ls_avx2_block8(const int R, long k, long n, const float *x, const float *w, const long pw, const float *bias, float *y,
               int cols, int activation, __m256 slope, const int backward, const float *act, float *bsum) {
    __m256 a[12];
    const __m256 b = ls_avx2_bias(bias, cols);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) a[r] = b;
    if (backward) ls_avx2_prefetch_rows(R, act, n, 8);
#pragma clang loop unroll_count(4)
    for (long p = 0; p < k; p++) {
        const __m256 w0 = _mm256_loadu_ps(w + p * pw);
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
ls_avx2_strip(long L, long k, long n, long wide, const float *x, const float *packed, const long pw, const float *bias, float *y,
              int activation, __m256 slope, const int backward, const float *act, float *bsum) {
    for (long c = 0; c < wide; c += 16) {
        const float *w = packed + (c / pw) * k * pw + c % pw;
        const int cols = wide - c >= 16 ? 16 : (int)(wide - c);
        long r = 0;
#define LS_AVX2_AT(R) k, n, x + r * k, w, pw, bias + c, y + r * n + c, cols, activation, slope, \
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
