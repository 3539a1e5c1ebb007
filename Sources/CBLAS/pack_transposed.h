// The training step's packer for transposed weights (NN's TransposedWeights), next to the kernel
// that reads its layout (dense_kernel.h).
#pragma once
#if defined(__x86_64__)
#include <immintrin.h>
#include "dense_kernel.h"

// The packed form of Wᵀ straight from W (k inputs × n outputs, row-major) in panels of P = pw columns
// (16 or 32, the variant's: dense_kernel.h): panel j (P inputs) holds, for output o = 0 ..< n,
// W[Pj + c][o] at packed[(j·n + o)·P + c], zero for inputs ≥ k — the layout `ls_dense_forward_*`
// reads, for the input-gradient products of training's backward passes. 8 × 8 blocks go through a
// register transpose; the edges are copied one float at a time. A copy, so bitwise NN's
// DenseKernel.pack of Wᵀ (tests compare).
LS_AVX2 static inline void
ls_pack_transposed_avx2(long k, long n, const float *w, float *packed, long pw) {
    for (long j = 0; j < (k + pw - 1) / pw; j++) {
        float *panel = packed + j * n * pw;
        const float *rows = w + pw * j * n;
        const long cols = k - pw * j < pw ? k - pw * j : pw;
        long o = 0;
        for (; o + 8 <= n; o += 8) {
            long c = 0;
            for (; c + 8 <= cols; c += 8) {
                const float *src = rows + c * n + o;
                const __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + n), r2 = _mm256_loadu_ps(src + 2 * n),
                             r3 = _mm256_loadu_ps(src + 3 * n), r4 = _mm256_loadu_ps(src + 4 * n), r5 = _mm256_loadu_ps(src + 5 * n),
                             r6 = _mm256_loadu_ps(src + 6 * n), r7 = _mm256_loadu_ps(src + 7 * n);
                const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3),
                             t3 = _mm256_unpackhi_ps(r2, r3), t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
                             t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
                const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE),
                             s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE),
                             s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE),
                             s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
                float *dst = panel + o * pw + c;
                _mm256_storeu_ps(dst, _mm256_permute2f128_ps(s0, s4, 0x20));
                _mm256_storeu_ps(dst + 1 * pw, _mm256_permute2f128_ps(s1, s5, 0x20));
                _mm256_storeu_ps(dst + 2 * pw, _mm256_permute2f128_ps(s2, s6, 0x20));
                _mm256_storeu_ps(dst + 3 * pw, _mm256_permute2f128_ps(s3, s7, 0x20));
                _mm256_storeu_ps(dst + 4 * pw, _mm256_permute2f128_ps(s0, s4, 0x31));
                _mm256_storeu_ps(dst + 5 * pw, _mm256_permute2f128_ps(s1, s5, 0x31));
                _mm256_storeu_ps(dst + 6 * pw, _mm256_permute2f128_ps(s2, s6, 0x31));
                _mm256_storeu_ps(dst + 7 * pw, _mm256_permute2f128_ps(s3, s7, 0x31));
            }
            for (; c < cols; c++)
                for (long i = 0; i < 8; i++) panel[(o + i) * pw + c] = rows[c * n + o + i];
            for (long i = 0; i < 8; i++)
                for (long z = cols; z < pw; z++) panel[(o + i) * pw + z] = 0;
        }
        for (; o < n; o++) {
            for (long c = 0; c < cols; c++) panel[o * pw + c] = rows[c * n + o];
            for (long z = cols; z < pw; z++) panel[o * pw + z] = 0;
        }
    }
}
#endif
