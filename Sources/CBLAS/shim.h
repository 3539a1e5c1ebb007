// OpenBLAS's cblas.h plus the LAPACK routines latentsim uses. Debian ships no lapacke;
// libopenblas exports the Fortran symbols itself, so they are declared here with gfortran's
// hidden trailing string-length arguments.
#pragma once
#include <stddef.h>
#include <cblas.h>
#include "dense_kernel.h"
#include "pack_transposed.h"
#include "fma_peak.h"

void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);

/* CPU features, to choose an OpenBLAS core type on CPUs newer than the installed OpenBLAS knows
   (it then falls back to a generic SSE3 "Prescott" kernel, several times slower). */
#if defined(__x86_64__)
static inline int ls_cpu_supports_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
static inline int ls_cpu_supports_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static inline int ls_cpu_supports_avx512(void) { return 0; }
static inline int ls_cpu_supports_avx2(void) { return 0; }
#endif
