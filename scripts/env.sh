# Sourced by the scripts: OpenMPI refuses to run as root unless told to; only then set the override.
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Two ranks fill the two cores: one BLAS thread per rank.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
# OpenBLAS 0.3.21 (the Debian/Ubuntu package) does not recognise newer AVX-512 Xeons (e.g. family 6
# model 207) and falls back to its Prescott (SSE3) kernels: the GAN step then runs 4x slower
# (measured: 5.2k against 18-21k samples/s). On AVX-512 CPUs pick the SkylakeX kernels unless the
# caller chose a core type; `latentsim bench` prints the core OpenBLAS uses.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=SkylakeX
fi
