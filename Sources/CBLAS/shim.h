// OpenBLAS's cblas.h plus the LAPACK routines latentsim uses. Debian ships no lapacke;
// libopenblas exports the Fortran symbols itself, so they are declared here with gfortran's
// hidden trailing string-length arguments.
#pragma once
#include <stddef.h>
#include <cblas.h>

void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda,
             float *w, float *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
