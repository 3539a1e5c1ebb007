#!/usr/bin/env bash
# Stops the cluster scripts/slurm-up.sh started under $SLURM_ROOT: cancels its jobs, then
# signals each daemon by the pid in its pidfile, after checking /proc/PID/comm names that daemon
# (a stale pidfile must not kill an unrelated process), and waits for them to exit.
# SLURM_PURGE=1 also deletes $SLURM_ROOT.
set -uo pipefail
root=${SLURM_ROOT:?set SLURM_ROOT to the directory slurm-up.sh used}
conf=$root/etc/slurm.conf
[ -f "$conf" ] && SLURM_CONF=$conf scancel --full --quiet --partition=debug 2>/dev/null
pids=()
stop() {  # pidfile expected-comm
    [ -f "$1" ] || return 0
    local pid; pid=$(tr -dc 0-9 < "$1")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 0
    kill -TERM "$pid" && pids+=("$pid")
}
for f in "$root"/run/slurmd-*.pid; do stop "$f" slurmd; done
stop "$root/run/slurmctld.pid" slurmctld
wait_gone() {
    local deadline=$((SECONDS + 15)) pid
    for pid in "${pids[@]}"; do
        while [ -d "/proc/$pid" ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
        [ -d "/proc/$pid" ] && { echo "slurm-down: pid $pid still running after 15 s; killing it" >&2; kill -KILL "$pid"; }
    done
    pids=()
}
wait_gone
stop "$root/munge/munged.pid" munged
wait_gone
if [ "${SLURM_PURGE:-0}" = 1 ]; then rm -rf "$root"; fi
exit 0
