// The AVX2 narrow path (a layer's last 1 … 4 columns, rows across the lanes) and the AVX2 column driver.
// Part of dense_kernel.h (the header comment there states the layout and the bit-for-bit contract);
// included from it inside its x86_64 guard, not on its own.
#pragma once

// A layer's last 1 … 8 columns with the rows across the lanes ("narrow" path): 128 → 17, 512 → 17,
// 128 → 4 spend most of their time in the 12 × 8 block (dense_kernel_avx2.h), which runs 8 lanes for 1 … 4 useful
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
// `count` inputs: xt[p·64 + row], the columns' weights w[p·pw + c]; sums from `sums` (first chunk:
// the bias) and back to it, or (last chunk) activated into the rows of y that exist.
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_narrow_group(const int V, const int C, long v0, long count, const float *xt, const float *w, const long pw,
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
            const __m256 wc = _mm256_broadcast_ss(w + p * pw + c);
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
ls_avx2_narrow(long rows, long k, long n, long c0, const float *x, const float *packed, const long pw, const float *bias,
               float *y, int activation, __m256 slope) {
    const float *w = packed + (c0 / pw) * k * pw + c0 % pw;
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
            const float *wp = w + p0 * pw;
            for (int c = 0; c < C;) {
                // 1 column: 8 vectors (8 chains cover the FMA latency); else 4 vectors × 2 or 3 columns.
                const int left = C - c;
                if (left == 1) {
                    if (vectors > 4) ls_avx2_narrow_group(8, 1, 0, count, xt, wp + c, pw, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
                    else ls_avx2_narrow_group(4, 1, 0, count, xt, wp + c, pw, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
                    c += 1;
                } else if (left == 2 || left == 4) {
                    for (long v0 = 0; v0 < vectors; v0 += 4)
                        ls_avx2_narrow_group(4, 2, v0, count, xt, wp + c, pw, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
                    c += 2;
                } else {
                    for (long v0 = 0; v0 < vectors; v0 += 4)
                        ls_avx2_narrow_group(4, 3, v0, count, xt, wp + c, pw, bias + c0 + c, sums + c * LS_AVX2_NARROW_ROWS, first, last, out + c, n, R, activation, slope);
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

// The AVX2 variant on columns c0 ..< n (c0 a multiple of 32) of weights packed in panels of pw (16 or 32)
// columns: 16-column groups in strips of rows, a last group of 1 … 4 columns on the narrow path. Always
// inlined, so that each caller's pw is a constant: one outlined copy taking pw at run time was
// measured 2× slower on the 16-column layout (C harness, Zen 4).
LS_AVX2 static inline __attribute__((always_inline)) void
ls_avx2_columns(long rows, long k, long n, long c0, const float *x, const float *packed, const long pw, const float *bias,
                float *y, int activation, float slopeValue) {
    const __m256 slope = _mm256_set1_ps(slopeValue);
#ifndef LS_AVX2_NO_MAX
    if (activation == LS_DENSE_LEAKY && slopeValue > 0 && slopeValue <= 1) activation = LS_DENSE_LEAKY_MAX;
#endif
    const long wide = ls_avx2_uses_narrow(rows, k, n) ? n - n % 16 : n;
    const float *w = packed + (c0 / 32) * k * 32;
    for (long r = 0; r < rows && wide > c0; r += LS_AVX2_STRIP) {
        const long L = rows - r < LS_AVX2_STRIP ? rows - r : LS_AVX2_STRIP;
        ls_avx2_strip(L, k, n, wide - c0, x + r * k, w, pw, bias + c0, y + r * n + c0, activation, slope, 0, 0, 0);
    }
    if (wide < n) ls_avx2_narrow(rows, k, n, wide, x, packed, pw, bias, y, activation, slope);
}
