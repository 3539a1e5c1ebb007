#!/usr/bin/env bash
# Installs what latentsim needs on Debian 12 (run as root): OpenMPI, parallel HDF5, OpenBLAS,
# pkg-config (SwiftPM finds the libraries through it), h5py for the interoperability tests, and
# uproot, awkward and numpy for tools/root2h5 (ROOT input) and its test, matplotlib and mplhep for
# `latentsim report`, and Chromium for the report's rendering test.
set -euo pipefail
packages=(libopenmpi-dev openmpi-bin libopenblas-dev libhdf5-openmpi-dev hdf5-tools pkg-config libssl-dev)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A real Slurm for the Slurm tests (scripts/slurm-up.sh starts it under a temporary directory):
# Debian's packages start no daemons on install. Optional: without it those tests skip and say why.
slurm_packages=(slurm-wlm slurmctld slurmd slurm-client munge)
slurm_missing=()
for p in "${slurm_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || slurm_missing+=("$p"); done
if [ ${#slurm_missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${slurm_missing[@]}" >/dev/null; } \
        || echo "setup: Slurm packages (${slurm_missing[*]}) not installed; the Slurm tests will be skipped" >&2
fi
if ! python3 -c 'import h5py' 2>/dev/null; then
    python3 -m pip install -q h5py 2>/dev/null || echo "setup: h5py not installed; the h5py interoperability test will be skipped" >&2
fi
if ! python3 -c 'import uproot, awkward, numpy, h5py' 2>/dev/null; then
    # A Debian python3 may come without pip, and marks its site-packages as externally managed (pip then
    # needs --break-system-packages).
    if ! python3 -m pip --version >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
    fi
    python3 -m pip install -q uproot awkward numpy h5py 2>/dev/null \
        || python3 -m pip install -q --break-system-packages uproot awkward numpy h5py \
        || { echo "setup: cannot install uproot, awkward, numpy and h5py with pip; tools/root2h5 needs them" >&2; exit 1; }
fi
# The report (python/latentsim_report): matplotlib and mplhep (the HEP plotting style) on top of numpy and h5py.
if ! python3 -c 'import matplotlib, mplhep, numpy, h5py' 2>/dev/null; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
    fi
    python3 -m pip install -q matplotlib mplhep numpy h5py 2>/dev/null \
        || python3 -m pip install -q --break-system-packages matplotlib mplhep numpy h5py \
        || { echo "setup: cannot install matplotlib and mplhep with pip; latentsim report needs them" >&2; exit 1; }
fi
# Headless Chromium renders the report in its test, as a person would see it.
if ! dpkg -s chromium >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
        || { echo "setup: cannot install the Debian package chromium; the report's rendering test needs it" >&2; exit 1; }
fi
command -v swift >/dev/null || { echo "setup: swift not found on PATH (expected Swift 6 at /opt/swift)" >&2; exit 1; }
