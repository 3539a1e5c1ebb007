"""Shared shapes, FLOP counts, timing loop and JSON output for the peer benchmarks.

Imported by peer_torch.py and peer_jax.py (run them as `python3 benchmarks/peer_X.py`, which puts
this directory on sys.path). Nothing here imports torch or jax, so it is safe to import before the
thread settings are made.

FLOP convention (identical to `latentsim bench`): a dense layer with a inputs and b outputs on a
batch of m costs 2·m·a·b forward and 4·m·a·b backward (weight + input gradient), except the
discriminator's backward inside the generator step, which counts 2·m·a·b (input gradient only).
Only matmul FLOPs are counted; activations, losses, optimizers and noise are free.
"""

import argparse
import json
import os
import resource
import sys
import time

# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------

AE_BATCH = 512
AE_ENCODER = [17, 512, 128, 64, 8, 4]
AE_DECODER = list(reversed(AE_ENCODER))  # 4 -> 8 -> 64 -> 128 -> 512 -> 17

GAN_BATCH = 256  # real samples per discriminator step (plus as many generated ones)
GAN_GEN_BATCH = 512  # noise vectors per generator step
NOISE = 64
GEN_HIDDEN = [128, 256, 512, 256, 128]
DISC_HIDDEN = [128, 128, 256, 256, 128, 64, 32, 16, 8]

GEN_BATCH = 4096  # events per generation batch
LATENT = 4


def generator_sizes(n):
    return [NOISE] + GEN_HIDDEN + [n]


def discriminator_sizes(n):
    return [n] + DISC_HIDDEN + [1]


def layer_pairs(sizes):
    return list(zip(sizes[:-1], sizes[1:]))


def sum_ab(sizes):
    return sum(a * b for a, b in layer_pairs(sizes))


def ae_flops():
    return 6 * AE_BATCH * (sum_ab(AE_ENCODER) + sum_ab(AE_DECODER))


def gan_flops(n):
    sg, sd = sum_ab(generator_sizes(n)), sum_ab(discriminator_sizes(n))
    m, mg = GAN_BATCH, GAN_GEN_BATCH
    return (2 * m * sg                 # (a) G forward on 256 noise vectors, no grad
            + 6 * (2 * m) * sd         # (a) D forward + backward on 256 real + 256 fake
            + 2 * mg * sg              # (b) G forward on 512
            + 2 * mg * sd              # (b) D forward
            + 2 * mg * sd              # (b) D backward, input gradients only
            + 4 * mg * sg)             # (b) G backward


def gan_gemms(n):
    """The gan step's matrix products in execution order, as (op, m, a, b, tag) tuples.

    op is "fwd" (X[m,a]·W[a,b]), "dw" (X^T[a,m]·dY[m,b]) or "dx" (dY[m,b]·W^T[b,a]); tag names the
    phase. Their FLOPs add up to gan_flops(n) exactly.
    """
    g, d = generator_sizes(n), discriminator_sizes(n)
    gl, dl = layer_pairs(g), layer_pairs(d)
    m, mg = GAN_BATCH, GAN_GEN_BATCH
    seq = []
    seq += [("fwd", m, a, b, "a.G") for a, b in gl]
    seq += [("fwd", 2 * m, a, b, "a.D") for a, b in dl]
    for a, b in reversed(dl):
        seq += [("dw", 2 * m, a, b, "a.D"), ("dx", 2 * m, a, b, "a.D")]
    seq += [("fwd", mg, a, b, "b.G") for a, b in gl]
    seq += [("fwd", mg, a, b, "b.D") for a, b in dl]
    seq += [("dx", mg, a, b, "b.D") for a, b in reversed(dl)]
    for a, b in reversed(gl):
        seq += [("dw", mg, a, b, "b.G"), ("dx", mg, a, b, "b.G")]
    assert sum(2 * mm * a * b for _, mm, a, b, _ in seq) == gan_flops(n)
    return seq


# ---------------------------------------------------------------------------------------------
# Command line, thread environment, timing, output
# ---------------------------------------------------------------------------------------------

TRAIN_MODELS = ["ae", "gan17", "gan7", "sgemm"]
GEN_MODELS = ["gen17", "latent"]
ALL_MODELS = TRAIN_MODELS + GEN_MODELS


def parse_args(peer):
    p = argparse.ArgumentParser(
        description=f"{peer} peer of `latentsim bench`: one JSON record per line on stdout")
    p.add_argument("--threads", type=int, default=1, help="compute threads (default 1)")
    p.add_argument("--seconds", type=float, default=5.0,
                   help="measurement time per model, warm-up excluded (default 5)")
    p.add_argument("--warmup", type=float, default=1.0,
                   help="warm-up time per model after compilation (default 1)")
    p.add_argument("--models", default=",".join(ALL_MODELS),
                   help="comma-separated subset of " + ",".join(ALL_MODELS))
    p.add_argument("--pin", choices=["auto", "yes", "no"], default="auto",
                   help="restrict the process to --threads CPUs with sched_setaffinity "
                        "(auto: as documented for each peer)")
    p.add_argument("--repeat", type=int, default=1,
                   help="measure each model this many times and report the fastest, to filter out "
                        "interference on a shared machine (default 1)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    if args.threads < 1 or args.repeat < 1:
        p.error("--threads and --repeat must be >= 1")
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    for m in args.models:
        if m not in ALL_MODELS:
            p.error(f"unknown model {m!r}")
    return args


def set_thread_env(threads):
    """Thread-count variables read by OpenMP, MKL, OpenBLAS and Eigen: set before any import."""
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)


def _idle_ticks():
    idle = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                fields = line.split()
                idle[int(fields[0][3:])] = int(fields[4]) + int(fields[5])  # idle + iowait
    return idle


def pin_cpus(threads):
    """Restrict this process (and every thread it starts later) to `threads` of the allowed CPUs,
    the ones most idle over the last 0.3 s (so a busy neighbour core is avoided)."""
    allowed = sorted(os.sched_getaffinity(0))
    if threads < len(allowed):
        try:
            a = _idle_ticks()
            time.sleep(0.3)
            b = _idle_ticks()
            allowed.sort(key=lambda c: -(b.get(c, 0) - a.get(c, 0)))
        except OSError:
            pass
        os.sched_setaffinity(0, sorted(allowed[:threads]))
        log(f"pinned to CPUs {sorted(os.sched_getaffinity(0))}")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def emit(record):
    print(json.dumps(record), flush=True)


def _cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measure(step, seconds, warmup, name="", repeat=1):
    """Call step() (which must return only once its work is finished) for `warmup` seconds (at
    least twice), then for `seconds`, `repeat` times; returns the highest steps per second.

    Also logs to stderr how many cores the process kept busy while measuring (CPU time ÷ wall time
    over all its threads), which is how the thread limit is checked; on an otherwise idle machine
    it is close to the thread count, and much lower when other processes took the CPU.
    """
    t_end = time.perf_counter() + warmup
    n = 0
    while n < 2 or time.perf_counter() < t_end:
        step()
        n += 1
    best = 0.0
    for _ in range(repeat):
        c0, t0 = _cpu_seconds(), time.perf_counter()
        n = 0
        while True:
            step()
            n += 1
            t = time.perf_counter()
            if t - t0 >= seconds:
                break
        c1 = _cpu_seconds()
        rate = n / (t - t0)
        best = max(best, rate)
        log(f"  {name}: {n} steps in {t - t0:.2f} s = {rate:.2f} steps/s, "
            f"{(c1 - c0) / (t - t0):.2f} cores busy, load {os.getloadavg()[0]:.2f}")
    return best


def train_record(model, threads, steps_per_s, samples_per_step, flops_per_step, peer):
    return {"model": model, "threads": threads,
            "samples_per_s": round(steps_per_s * samples_per_step, 1),
            "gflop_s": round(steps_per_s * flops_per_step / 1e9, 3),
            "peer": peer}


def gen_record(model, threads, batches_per_s, peer):
    return {"model": model, "ranks": 1, "mode": "compute",
            "events_per_s": round(batches_per_s * GEN_BATCH, 1),
            "threads": threads, "peer": peer}
