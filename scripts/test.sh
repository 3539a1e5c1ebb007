#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (unit, CLI and multi-rank mpirun tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
swift build --build-tests
log=$(mktemp)
status=0
# The tests are XCTest; Swift Testing is disabled so its empty-run line does not close the log.
swift test --skip-build --disable-swift-testing 2>&1 | tee "$log" || status=$?
summary=$(grep -E '^\s*Executed [0-9]+ tests?, with' "$log" | tail -1 || true)
rm -f "$log"
if [ -n "$summary" ]; then
    total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
    failed=$(grep -oE '[0-9]+ failures?' <<<"$summary" | grep -oE '^[0-9]+' | head -1)
    skipped=$(grep -oE '[0-9]+ tests? skipped' <<<"$summary" | grep -oE '^[0-9]+' || echo 0)
    echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
fi
exit $status
