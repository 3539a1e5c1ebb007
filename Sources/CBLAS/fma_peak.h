// One core's single-precision FMA peak, measured: a loop of independent fused multiply-adds on
// registers only (no loads or stores), so nothing but the FMA ports limits it. `latentsim bench`
// sets its GFLOP/s against this figure instead of a datasheet number.
//
// The loop is inline assembly, so it is the same instructions at -O0 (a debug build compiles these
// static inline functions at the Swift module's optimisation level; intrinsics would then go
// through the stack) and the compiler can neither vectorise it differently nor drop it. Each
// accumulator runs acc = acc·a + b from 0: with a = b = 0.5 it settles on exactly 1 without
// denormals or overflow, and the function returns the sum of every lane of every accumulator, which
// the caller checks (lanes × accumulators), so the result is used and the loop provably ran.
// The accumulators start at 0, not at b: an optimising build put the input b in the same register
// as an accumulator that held the same value, the loop then overwrote b, and the sum was inf.
//
// Enough independent chains to cover FMA latency × issue width: 2 ports × 4-5 cycles needs
// 8-10 in flight. AVX2 has 16 ymm registers: 12 accumulators + a + b. AVX-512 has 32 zmm: 16.
#pragma once
#include <stdint.h>
#if defined(__x86_64__)
#include <immintrin.h>

#define LS_FMA_ACCUMULATORS_AVX2 12
#define LS_FMA_ACCUMULATORS_AVX512 16

#define LS_FMA_STEP(r) "vfmadd213ps %[b], %[a], %[" #r "]\n\t"

/// Runs `iterations` rounds of 12 ymm FMAs (8 lanes each); returns the sum of all lanes.
__attribute__((target("avx2,fma"))) static inline float
ls_fma_peak_avx2(uint64_t iterations, float a, float b) {
    __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    __m256 z = _mm256_setzero_ps();
    __m256 c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z, c8 = z, c9 = z, c10 = z, c11 = z;
    if (iterations == 0) return 0;
    __asm__ volatile(
        "1:\n\t"
        LS_FMA_STEP(c0) LS_FMA_STEP(c1) LS_FMA_STEP(c2) LS_FMA_STEP(c3) LS_FMA_STEP(c4) LS_FMA_STEP(c5)
        LS_FMA_STEP(c6) LS_FMA_STEP(c7) LS_FMA_STEP(c8) LS_FMA_STEP(c9) LS_FMA_STEP(c10) LS_FMA_STEP(c11)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        : [c0] "+x"(c0), [c1] "+x"(c1), [c2] "+x"(c2), [c3] "+x"(c3), [c4] "+x"(c4), [c5] "+x"(c5),
          [c6] "+x"(c6), [c7] "+x"(c7), [c8] "+x"(c8), [c9] "+x"(c9), [c10] "+x"(c10), [c11] "+x"(c11),
          [n] "+r"(iterations)
        : [a] "x"(va), [b] "x"(vb)
        : "cc");
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                             _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
    float lanes[8];
    _mm256_storeu_ps(lanes, s);
    float total = 0;
    for (int i = 0; i < 8; i++) total += lanes[i];
    return total;
}

/// Runs `iterations` rounds of 16 zmm FMAs (16 lanes each); returns the sum of all lanes.
__attribute__((target("avx512f"))) static inline float
ls_fma_peak_avx512(uint64_t iterations, float a, float b) {
    __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
    __m512 z = _mm512_setzero_ps();
    __m512 c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z;
    __m512 c8 = z, c9 = z, c10 = z, c11 = z, c12 = z, c13 = z, c14 = z, c15 = z;
    if (iterations == 0) return 0;
    __asm__ volatile(
        "1:\n\t"
        LS_FMA_STEP(c0) LS_FMA_STEP(c1) LS_FMA_STEP(c2) LS_FMA_STEP(c3) LS_FMA_STEP(c4) LS_FMA_STEP(c5)
        LS_FMA_STEP(c6) LS_FMA_STEP(c7) LS_FMA_STEP(c8) LS_FMA_STEP(c9) LS_FMA_STEP(c10) LS_FMA_STEP(c11)
        LS_FMA_STEP(c12) LS_FMA_STEP(c13) LS_FMA_STEP(c14) LS_FMA_STEP(c15)
        "dec %[n]\n\t"
        "jnz 1b\n\t"
        : [c0] "+v"(c0), [c1] "+v"(c1), [c2] "+v"(c2), [c3] "+v"(c3), [c4] "+v"(c4), [c5] "+v"(c5),
          [c6] "+v"(c6), [c7] "+v"(c7), [c8] "+v"(c8), [c9] "+v"(c9), [c10] "+v"(c10), [c11] "+v"(c11),
          [c12] "+v"(c12), [c13] "+v"(c13), [c14] "+v"(c14), [c15] "+v"(c15), [n] "+r"(iterations)
        : [a] "v"(va), [b] "v"(vb)
        : "cc");
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                             _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(c12, c13), _mm512_add_ps(c14, c15)));
    return _mm512_reduce_add_ps(s);
}

#undef LS_FMA_STEP
#endif
