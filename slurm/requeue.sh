# Sourced by the batch scripts in slurm/ (after they cd to the submit directory); not run alone.
#
# run_resumable CMD...  runs one job step (an `srun ... latentsim STAGE ...` line) so that a stop
# signal reaches it and a stopped stage comes back:
#   - Slurm sends SIGUSR1 to the batch shell before the time limit (`#SBATCH --signal=B:USR1@N`),
#     and `scancel --signal=USR1 --batch` or a preemption sends it (or SIGTERM) at any time. The trap
#     passes it to srun, which forwards it to every rank; each latentsim stage then stops at its next
#     safe point (a step, a restart's state, a shard), leaves only complete files under final names
#     and exits 75.
#   - On exit 75 the job requeues itself (`scontrol requeue`; `#SBATCH --requeue --open-mode=append`
#     keep one log) and the rerun of the same script continues where the stage stopped.
#   - At most LATENTSIM_MAX_RESTARTS requeues (default 3; Slurm counts them in SLURM_RESTART_COUNT):
#     a job that still stops after that fails with one line saying so and exits 75, instead of
#     requeueing forever (a time limit too short for one step, a node that keeps getting preempted).
#   - Any other exit status is the job's exit status; among them 78, a stage that stopped again
#     without having saved more work than at its previous stop (latentsim's own requeue guard).
LATENTSIM_MAX_RESTARTS=${LATENTSIM_MAX_RESTARTS:-3}

run_resumable() {
    local child status signal
    # "$@" runs in the background: bash runs a trap only between commands, and `wait` returns
    # early when one arrives, so the signal is passed on at once.
    trap 'signal=USR1; [ -n "${child:-}" ] && kill -USR1 "$child" 2>/dev/null' USR1
    trap 'signal=TERM; [ -n "${child:-}" ] && kill -TERM "$child" 2>/dev/null' TERM
    "$@" &
    child=$!
    while true; do
        wait "$child"
        status=$?
        # wait returned because a trap ran: the step is still running, wait for its own status.
        kill -0 "$child" 2>/dev/null || break
    done
    trap - USR1 TERM
    if [ "$status" -ne 75 ]; then
        return "$status"
    fi
    local restarts=${SLURM_RESTART_COUNT:-0}
    if [ -z "${SLURM_JOB_ID:-}" ]; then
        echo "latentsim-slurm: the stage stopped at a safe point (exit 75); not under Slurm, so rerun the same command to continue" >&2
        exit 75
    fi
    if [ "$restarts" -ge "$LATENTSIM_MAX_RESTARTS" ]; then
        echo "latentsim-slurm: job $SLURM_JOB_ID stopped again (exit 75) after $restarts requeue(s), the limit" \
            "LATENTSIM_MAX_RESTARTS=$LATENTSIM_MAX_RESTARTS; not requeueing: its outputs are complete so far," \
            "resubmit the same script to continue (a longer --time or a higher LATENTSIM_MAX_RESTARTS needs fewer requeues)" >&2
        exit 75
    fi
    echo "latentsim-slurm: stopped at a safe point on SIG${signal:-USR1} (exit 75); requeueing job $SLURM_JOB_ID" \
        "(requeue $((restarts + 1)) of at most $LATENTSIM_MAX_RESTARTS)"
    if ! scontrol requeue "$SLURM_JOB_ID"; then
        echo "latentsim-slurm: scontrol requeue $SLURM_JOB_ID was refused (is JobRequeue disabled on this cluster?);" \
            "resubmit the same script to continue" >&2
        exit 75
    fi
    # Slurm now ends this run of the script (SIGTERM, then SIGKILL) and queues the job again.
    sleep 60
    exit 75
}

# The number of in-process worker threads per rank: Slurm's --cpus-per-task. srun no longer inherits
# it from sbatch (Slurm ≥ 22.05), so the scripts pass it on explicitly.
cpus_per_task=${SLURM_CPUS_PER_TASK:-1}
