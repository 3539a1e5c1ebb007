#!/usr/bin/env bash
# Installs what is needed, builds in release mode, and runs the main job on the built-in dataset
# under `mpirun -np 2`: simulate Drell–Yan events, inspect the table, and reduce the rotated dimuon
# (7 features) to 4 latent variables with the autoencoder of jobs/dy_ae.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
swift build -c release
bin=.build/release/latentsim
out=${OUT:-runs/quickstart}
epochs=${EPOCHS:-8}
mkdir -p "$out"
mpirun -q -np 2 "$bin" simulate --process dy --events 400000 --seed 1 --out "$out/dy.h5"
mpirun -q -np 2 "$bin" inspect "$out/dy.h5"
mpirun -q -np 2 "$bin" reduce --config jobs/dy_ae.toml --data "$out/dy.h5" --epochs "$epochs" --out "$out/ae"
echo "quickstart: events in $out/dy.h5; autoencoder, reconstruction.json and latent.h5 in $out/ae"
echo "(the full job: mpirun -np 2 $bin reduce --config jobs/dy_ae.toml --data $out/dy.h5 --out $out/ae40)"
