#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (unit, CLI and multi-rank mpirun tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
swift build --build-tests
swift test --skip-build
