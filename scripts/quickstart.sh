#!/usr/bin/env bash
# Installs what is needed, builds in release mode, and runs the main job on the built-in dataset
# under `mpirun -np 2`: simulate Drell–Yan events, then inspect the table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
swift build -c release
out=${OUT:-runs/quickstart}
mkdir -p "$out"
mpirun -q -np 2 .build/release/latentsim simulate --process dy --events 400000 --seed 1 --out "$out/dy.h5"
mpirun -q -np 2 .build/release/latentsim inspect "$out/dy.h5"
echo "quickstart: table in $out/dy.h5"
