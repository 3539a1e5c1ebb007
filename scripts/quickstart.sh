#!/usr/bin/env bash
# Installs what is needed, builds in release mode, and runs the main job on the built-in dataset under
# `mpirun -np 2`: the whole chain of jobs/quickstart.toml — simulate 400k Drell–Yan events, reduce the
# 17 features to 16 latent variables (10 codes plus the dimuon mass, the dimuon pair's px and py and jet1-3
# pTs kept as coordinates), train a latent flow-matching model data-parallel on both ranks, select its best snapshot,
# generate 1M events to sharded HDF5 and evaluate them against the held-out real events.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
swift build -c release
out=${OUT:-runs/quickstart}
mpirun -q -np 2 .build/release/latentsim pipeline jobs/quickstart.toml --out "$out"
if [ -f "$out/report/index.html" ]; then
    echo "open $out/report/index.html in a browser to look at the result (README: Reading the report)"
fi
