#!/usr/bin/env bash
# Starts a real Slurm cluster on this host under $SLURM_ROOT (munged, slurmctld, and one slurmd
# per simulated node), for the Slurm tests and for trying the sbatch scripts by hand:
#   SLURM_ROOT=$(mktemp -d) SLURM_NODES=2 bash scripts/slurm-up.sh && source $SLURM_ROOT/env.sh
# Stop it with scripts/slurm-down.sh (same SLURM_ROOT). Clients find the cluster through
# SLURM_CONF (written to $SLURM_ROOT/env.sh); /etc/slurm is left alone, so several clusters can
# coexist. Ports are picked free at start, and each cluster numbers its jobs from a block of its
# own (FirstJobId below; SLURM_FIRST_JOB_ID overrides it). Settings are the fast ones (scheduler
# every 2 s, credentials expire after 10 s). With SLURM_NODES > 1 every node is a slurmd on this
# host; the TaskProlog keeps Open MPI between "nodes" on TCP over loopback (shared-memory
# segments of two nodes on one host collide) and TmpFS gives each node its own PMIx directory.
# Installs the packages if missing (scripts/setup.sh does the same). Exit 3: Slurm not available.
set -euo pipefail
root=${SLURM_ROOT:?set SLURM_ROOT to an empty directory}
nodes=${SLURM_NODES:-1}
cpus=${SLURM_CPUS:-2}
timeout=${SLURM_UP_TIMEOUT:-60}
packages=(slurm-wlm slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || true
fi
for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || { echo "slurm-up: $tool not found on PATH (Debian: apt-get install ${packages[*]})" >&2; exit 3; }
done
[ -r /etc/munge/munge.key ] || { echo "slurm-up: /etc/munge/munge.key missing (munge's postinst makes it)" >&2; exit 3; }

if [ -f "$root/run/slurmctld.pid" ] && [ "$(cat "/proc/$(tr -dc 0-9 < "$root/run/slurmctld.pid")/comm" 2>/dev/null)" = slurmctld ]; then
    echo "slurm-up: a cluster is already running under $root; stop it with scripts/slurm-down.sh first" >&2
    exit 1
fi
mkdir -p "$root"/{etc,state,spool,tmp,run,log,munge}
chmod 755 "$root"
chown munge:munge "$root/munge"; chmod 755 "$root/munge"
host=$(hostname -s)
# Four consecutive free TCP ports: slurmctld and up to three slurmd.
# A port is taken when something accepts a connection on it (bash's /dev/tcp: no iproute2 needed).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
base=""
for _ in $(seq 50); do
    b=$(( 20000 + (RANDOM % 2000) * 5 ))
    ok=1; for i in $(seq 0 "$nodes"); do port_free $((b + i)) || ok=0; done
    if [ $ok = 1 ]; then base=$b; break; fi
done
[ -n "$base" ] || { echo "slurm-up: no free ports found" >&2; exit 1; }
# Job ids must differ between clusters running at once on this host. Open MPI under srun names its
# shared-memory files (/dev/shm/vader_segment.HOST.UID.JOBID.LOCALRANK, osc_sm.*) after a hash of the
# PMIx namespace slurm.pmix.JOB.STEP, so job 1 step 0 of two fresh clusters (every cluster used to
# start at job 1) opened the same files while both ran: the newcomer re-initialised the running
# job's segments and both ranks of the older job died with SIGSEGV in mca_btl_vader.so. Concurrent
# clusters hold different port bases, so each gets its own block of 10000 job ids; no block starts
# at 1, where a cluster configured with Slurm's default numbering starts.
first_job=${SLURM_FIRST_JOB_ID:-$(( ((base - 20000) / 5 + 1) * 10000 + 1 ))}

conf=$root/etc/slurm.conf
node_names=()
for i in $(seq 1 "$nodes"); do node_names+=("n$i"); done
{
    echo "ClusterName=latentsim"
    echo "SlurmctldHost=$host(127.0.0.1)"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "CredType=cred/munge"
    echo "AuthInfo=socket=$root/munge/munge.socket.2,cred_expire=10"
    echo "SlurmctldPort=$base"
    echo "FirstJobId=$first_job"
    echo "StateSaveLocation=$root/state"
    echo "SlurmdSpoolDir=$root/spool/%n"
    echo "TmpFS=$root/tmp/%n"
    echo "SlurmctldPidFile=$root/run/slurmctld.pid"
    echo "SlurmdPidFile=$root/run/slurmd-%n.pid"
    echo "SlurmctldLogFile=$root/log/slurmctld.log"
    echo "SlurmdLogFile=$root/log/slurmd-%n.log"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "SchedulerType=sched/backfill"
    echo "SchedulerParameters=sched_interval=2,bf_interval=1"
    echo "SlurmdParameters=config_overrides"
    echo "MpiDefault=pmix"
    echo "ReturnToService=2"
    echo "SwitchType=switch/none"
    echo "MailProg=/bin/true"
    echo "JobCompType=jobcomp/filetxt"
    echo "JobCompLoc=$root/log/jobcomp.log"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "SlurmctldTimeout=30"
    echo "SlurmdTimeout=30"
    echo "InactiveLimit=0"
    echo "MinJobAge=300"
    echo "KillWait=5"
    echo "Waittime=0"
    if [ "$nodes" -gt 1 ]; then echo "TaskProlog=$root/etc/task-prolog.sh"; fi
    for i in $(seq 1 "$nodes"); do
        echo "NodeName=n$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$((base + i)) CPUs=$cpus RealMemory=1000 State=UNKNOWN"
    done
    echo "PartitionName=debug Nodes=$(IFS=,; echo "${node_names[*]}") Default=YES MaxTime=INFINITE State=UP"
} > "$conf"
# Lines "export NAME=value" printed by a TaskProlog enter the task's environment.
cat > "$root/etc/task-prolog.sh" <<'PROLOG'
#!/bin/sh
[ -n "${OMPI_MCA_btl:-}" ] || echo "export OMPI_MCA_btl=self,tcp"
echo "export OMPI_MCA_btl_tcp_if_include=lo"
echo "export OMPI_MCA_oob_tcp_if_include=lo"
PROLOG
chmod 755 "$root/etc/task-prolog.sh"
for n in "${node_names[@]}"; do mkdir -p "$root/spool/$n" "$root/tmp/$n"; done
echo "export SLURM_CONF=$conf" > "$root/env.sh"
export SLURM_CONF=$conf

runuser -u munge -- munged --socket="$root/munge/munge.socket.2" --pid-file="$root/munge/munged.pid" \
    --log-file="$root/munge/munged.log" --seed-file="$root/munge/munged.seed"
slurmctld -f "$conf"
for n in "${node_names[@]}"; do slurmd -f "$conf" -N "$n"; done

deadline=$((SECONDS + timeout))
while true; do
    states=$(sinfo -h -N -o '%t' 2>/dev/null | sort -u | tr '\n' ' ')
    [ "$states" = "idle " ] && [ "$(sinfo -h -N -o '%N' | wc -l)" -eq "$nodes" ] && break
    if [ $SECONDS -ge $deadline ]; then
        echo "slurm-up: nodes not idle after ${timeout} s (states: ${states:-none}); logs in $root/log" >&2
        exit 1
    fi
    sleep 0.2
done
echo "slurm-up: $nodes node(s) idle, SLURM_CONF=$conf"
