#!/usr/bin/env python3
"""JAX (jax.jit, float32, CPU) peer of `latentsim bench`.

    python3 benchmarks/peer_jax.py --threads 1 [--seconds 5] [--models ae,gan17,...]

Prints one JSON object per line on stdout (ae, gan17, gan7, sgemm, gen17, latent); progress and
the number of cores actually kept busy go to stderr. Every step is one jax.jit-compiled function
(forward, backward and optax Adam together; noise drawn inside it with jax.random), timed with
block_until_ready; compilation and warm-up are excluded.

Threads: XLA:CPU (jaxlib 0.10) sizes its intra-op thread pool from the CPUs the process may run
on, and ignores --xla_cpu_multi_thread_eigen=false for that purpose (measured: still ~2 cores
busy on a 2-core machine; `intra_op_parallelism_threads=1` is no longer accepted in XLA_FLAGS at
all -- XLA aborts, taking it for a flags file name). What does limit it is CPU affinity, so with
--threads T below the number of allowed CPUs this script calls sched_setaffinity on the first T
CPUs before importing jax (like `taskset -c 0`); --pin no turns that off. OMP/MKL/OpenBLAS
variables are also set to T (harmless, XLA uses none of them).
"""

import functools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

PEER = "jax"


def main():
    args = pc.parse_args(PEER)
    T = args.threads
    pc.set_thread_env(T)
    if args.pin in ("auto", "yes"):
        pc.pin_cpus(T)
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
        import jax.numpy as jnp
    except ImportError as e:
        sys.exit(f"peer_jax: cannot import jax ({e}); see benchmarks/README.md")
    try:
        import optax
    except ImportError:
        optax = None
    pc.log(f"jax {jax.__version__}, devices {jax.devices()}, "
           f"optax {optax.__version__ if optax else 'missing: hand-written Adam'}")

    # ---- Adam (optax if installed, else the same update by hand) -----------------------------
    if optax is not None:
        def adam(lr):
            tx = optax.adam(lr)
            return tx.init, lambda g, s, p: _apply(tx, g, s, p)

        def _apply(tx, g, s, p):
            upd, s = tx.update(g, s, p)
            return optax.apply_updates(p, upd), s
    else:
        def adam(lr, b1=0.9, b2=0.999, eps=1e-8):
            def init(p):
                z = jax.tree_util.tree_map(jnp.zeros_like, p)
                return (jnp.zeros((), jnp.int32), z, z)

            def update(g, s, p):
                t, mu, nu = s
                t = t + 1
                mu = jax.tree_util.tree_map(lambda m, x: b1 * m + (1 - b1) * x, mu, g)
                nu = jax.tree_util.tree_map(lambda v, x: b2 * v + (1 - b2) * x * x, nu, g)
                c1, c2 = 1 - b1 ** t.astype(jnp.float32), 1 - b2 ** t.astype(jnp.float32)
                p = jax.tree_util.tree_map(
                    lambda w, m, v: w - lr * (m / c1) / (jnp.sqrt(v / c2) + eps), p, mu, nu)
                return p, (t, mu, nu)
            return init, update

    # ---- dense networks ----------------------------------------------------------------------
    def init_mlp(key, sizes):
        """PyTorch's nn.Linear default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for W and b."""
        params = []
        for a, b in pc.layer_pairs(sizes):
            key, kw, kb = jax.random.split(key, 3)
            s = 1.0 / a ** 0.5
            params.append((jax.random.uniform(kw, (a, b), jnp.float32, -s, s),
                           jax.random.uniform(kb, (b,), jnp.float32, -s, s)))
        return params

    def apply_mlp(params, x):
        """LeakyReLU(0.2) after every layer but the last, which is linear."""
        for i, (w, b) in enumerate(params):
            x = x @ w + b
            if i < len(params) - 1:
                x = jax.nn.leaky_relu(x, 0.2)
        return x

    def bce_logits(logits, labels):
        # mean binary cross-entropy on logits, numerically stable form
        return jnp.mean(jnp.maximum(logits, 0) - logits * labels + jnp.log1p(jnp.exp(-jnp.abs(logits))))

    root = jax.random.PRNGKey(args.seed)

    def run(step, state, name):
        """step(*state) -> new state (a tuple); the state is threaded through the timing loop."""
        box = [state]

        def once():
            box[0] = step(*box[0])
            jax.block_until_ready(box[0])

        once()  # compile outside the timed region (and outside the warm-up's time budget)
        return pc.measure(once, args.seconds, args.warmup, name, args.repeat)

    def ae():
        k1, k2, k3 = jax.random.split(jax.random.fold_in(root, 1), 3)
        params = (init_mlp(k1, pc.AE_ENCODER), init_mlp(k2, pc.AE_DECODER))
        x = jax.random.normal(k3, (pc.AE_BATCH, pc.AE_ENCODER[0]), jnp.float32)
        init, update = adam(1e-3)

        def loss(p):
            enc, dec = p
            return jnp.mean((apply_mlp(dec, apply_mlp(enc, x)) - x) ** 2)

        @functools.partial(jax.jit, donate_argnums=(0, 1))
        def step(p, s):
            g = jax.grad(loss)(p)
            return update(g, s, p)

        rate = run(step, (params, init(params)), "ae")
        return pc.train_record("ae", T, rate, pc.AE_BATCH, pc.ae_flops(), PEER)

    def gan(n):
        kg, kd, kr, key = jax.random.split(jax.random.fold_in(root, 100 + n), 4)
        pg, pd = init_mlp(kg, pc.generator_sizes(n)), init_mlp(kd, pc.discriminator_sizes(n))
        m, mg = pc.GAN_BATCH, pc.GAN_GEN_BATCH
        real = jax.random.normal(kr, (m, n), jnp.float32)
        labels_d = jnp.concatenate([jnp.ones((m, 1)), jnp.zeros((m, 1))])
        labels_g = jnp.ones((mg, 1))
        init_g, update_g = adam(1e-4)
        init_d, update_d = adam(1e-4)

        @functools.partial(jax.jit, donate_argnums=(0, 1, 2, 3, 4))
        def step(pg, pd, sg, sd, key):
            key, k1, k2 = jax.random.split(key, 3)
            # (a) discriminator step on 256 real + 256 generated (no gradient into G)
            fake = jax.lax.stop_gradient(apply_mlp(pg, jax.random.normal(k1, (m, pc.NOISE))))
            x = jnp.concatenate([real, fake])
            gd = jax.grad(lambda d: bce_logits(apply_mlp(d, x), labels_d))(pd)
            pd, sd = update_d(gd, sd, pd)
            # (b) generator step through the (updated, frozen) discriminator: gradient wrt pg only
            z = jax.random.normal(k2, (mg, pc.NOISE))
            gg = jax.grad(lambda g: bce_logits(apply_mlp(pd, apply_mlp(g, z)), labels_g))(pg)
            pg, sg = update_g(gg, sg, pg)
            return pg, pd, sg, sd, key

        rate = run(step, (pg, pd, init_g(pg), init_d(pd), key), f"gan{n}")
        return pc.train_record(f"gan{n}", T, rate, mg, pc.gan_flops(n), PEER)

    def sgemm():
        # The gan17 step's matrix products only (same shapes and order as pc.gan_gemms), in one
        # jitted function whose every product feeds the result, so XLA can drop none of them.
        n = 17
        key = jax.random.fold_in(root, 7)

        def weights(sizes):
            nonlocal key
            ws = []
            for a, b in pc.layer_pairs(sizes):
                key, k = jax.random.split(key)
                ws.append(jax.random.normal(k, (a, b), jnp.float32) / a ** 0.5)
            return ws

        def rnd(shape):
            nonlocal key
            key, k = jax.random.split(key)
            return jax.random.normal(k, shape, jnp.float32)

        Wg, Wd = weights(pc.generator_sizes(n)), weights(pc.discriminator_sizes(n))
        m, mg = pc.GAN_BATCH, pc.GAN_GEN_BATCH
        # distinct inputs and gradient seeds per phase, so no two products are the same expression
        inputs = (rnd((m, pc.NOISE)), rnd((2 * m, n)), rnd((2 * m, 1)),
                  rnd((mg, pc.NOISE)), rnd((mg, n)), rnd((mg, 1)), rnd((mg, n)))

        def forward(ws, x):
            acts = [x]
            for w in ws:
                acts.append(acts[-1] @ w)
            return acts

        def backward(ws, acts, dy, weight_grads):
            dws = []
            for i in reversed(range(len(ws))):
                if weight_grads:
                    dws.append(acts[i].T @ dy)
                dy = dy @ ws[i].T
            return dy, dws

        @jax.jit
        def products(wg, wd, z1, xd, dyd, z2, xd2, dyd2, dyg):
            out = [forward(wg, z1)[-1]]                              # (a) G forward, 256
            dx, dws = backward(wd, forward(wd, xd), dyd, True)       # (a) D fwd + bwd, 512
            out += [dx] + dws
            acts_g = forward(wg, z2)                                 # (b) G forward, 512
            dx, _ = backward(wd, forward(wd, xd2), dyd2, False)      # (b) D fwd + input grads
            out.append(dx)
            dx, dws = backward(wg, acts_g, dyg, True)                # (b) G backward
            out += [dx] + dws
            return out

        # check the product count against the convention before timing
        def count_dots(jaxpr):
            k = 0
            for eqn in jaxpr.eqns:
                k += eqn.primitive.name == "dot_general"
                for v in eqn.params.values():
                    for sub in v if isinstance(v, (list, tuple)) else [v]:
                        sub = getattr(sub, "jaxpr", sub)  # ClosedJaxpr -> Jaxpr
                        if hasattr(sub, "eqns"):
                            k += count_dots(sub)
            return k

        ndots = count_dots(jax.make_jaxpr(products)(Wg, Wd, *inputs).jaxpr)
        assert ndots == len(pc.gan_gemms(n)), (ndots, len(pc.gan_gemms(n)))

        def step(*a):
            jax.block_until_ready(products(*a))
            return a

        rate = run(step, (Wg, Wd) + inputs, "sgemm")
        return pc.train_record("sgemm", T, rate, mg, pc.gan_flops(n), PEER)

    def generation(model):
        k1, k2, key = jax.random.split(jax.random.fold_in(root, 1000), 3)
        if model == "gen17":
            nets = [init_mlp(k1, pc.generator_sizes(17))]
        else:
            nets = [init_mlp(k1, [pc.NOISE] + pc.GEN_HIDDEN + [pc.LATENT]),
                    init_mlp(k2, pc.AE_DECODER)]

        @jax.jit
        def step(nets, key):
            key, k = jax.random.split(key)
            x = jax.random.normal(k, (pc.GEN_BATCH, pc.NOISE), jnp.float32)
            for p in nets:
                x = apply_mlp(p, x)
            return key, x

        rate = run(lambda nets, key, _x: (nets,) + step(nets, key), (nets, key, None), model)
        return pc.gen_record(model, T, rate, PEER)

    runners = {"ae": ae, "gan17": lambda: gan(17), "gan7": lambda: gan(7), "sgemm": sgemm,
               "gen17": lambda: generation("gen17"), "latent": lambda: generation("latent")}
    for model in args.models:
        pc.emit(runners[model]())


if __name__ == "__main__":
    main()
