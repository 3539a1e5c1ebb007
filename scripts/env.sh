# Sourced by the scripts: OpenMPI refuses to run as root unless told to; only then set the override.
if [ "$(id -u)" = 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Two ranks fill the two cores: one BLAS thread per rank.
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
