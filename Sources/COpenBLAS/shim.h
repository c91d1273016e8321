#pragma once
#include <stddef.h>
#include <cblas.h>

/// LAPACK's eigen-decomposition of a real symmetric matrix (exported by libopenblas; no LAPACK header is installed).
/// Column-major `a` [n, n] is overwritten by the orthonormal eigenvectors (columns) when `jobz` is "V"; `w` [n] gets the
/// eigenvalues in ascending order. A `lwork` of -1 only writes the best workspace size to `work[0]`. The two trailing
/// arguments are the hidden Fortran lengths of `jobz` and `uplo` (1 each).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
            const int *lwork, int *info, size_t jobz_length, size_t uplo_length);
