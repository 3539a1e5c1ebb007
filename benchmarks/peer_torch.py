#!/usr/bin/env python3
"""PyTorch (eager, float32, CPU) peer of `latentsim bench`.

    python3 benchmarks/peer_torch.py --threads 1 [--seconds 5] [--models ae,gan17,...]

Prints one JSON object per line on stdout (ae, gan17, gan7, sgemm, gen17, latent); progress and
the number of cores actually kept busy go to stderr. Threads: OMP_NUM_THREADS / MKL_NUM_THREADS are
set to --threads before torch is imported, then torch.set_num_threads(T) and
torch.set_num_interop_threads(1). That alone limits PyTorch to T busy cores (checked: --threads 1
keeps 1.00 core busy), so the process is not pinned unless --pin yes is given.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

PEER = "torch"


def main():
    args = pc.parse_args(PEER)
    T = args.threads
    pc.set_thread_env(T)
    if args.pin == "yes":
        pc.pin_cpus(T)
    try:
        import torch
        from torch import nn
    except ImportError as e:
        sys.exit(f"peer_torch: cannot import torch ({e}); see benchmarks/README.md")

    torch.set_num_threads(T)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    torch.set_default_dtype(torch.float32)
    pc.log(f"torch {torch.__version__}, intra-op threads {torch.get_num_threads()}, "
           f"inter-op threads {torch.get_num_interop_threads()}, "
           f"CPU capability {torch.backends.cpu.get_cpu_capability()}")

    def mlp(sizes, final_act=False):
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2 or final_act:
                layers.append(nn.LeakyReLU(0.2))
        return nn.Sequential(*layers)

    def ae():
        model = nn.Sequential(mlp(pc.AE_ENCODER), mlp(pc.AE_DECODER))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randn(pc.AE_BATCH, pc.AE_ENCODER[0])
        loss_fn = nn.MSELoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), x)
            loss.backward()
            opt.step()

        rate = pc.measure(step, args.seconds, args.warmup, "ae", args.repeat)
        return pc.train_record("ae", T, rate, pc.AE_BATCH, pc.ae_flops(), PEER)

    def gan(n):
        G = mlp(pc.generator_sizes(n))
        D = mlp(pc.discriminator_sizes(n))
        opt_g = torch.optim.Adam(G.parameters(), lr=1e-4)
        opt_d = torch.optim.Adam(D.parameters(), lr=1e-4)
        bce = nn.BCEWithLogitsLoss()
        m, mg = pc.GAN_BATCH, pc.GAN_GEN_BATCH
        real = torch.randn(m, n)
        labels_d = torch.cat([torch.ones(m, 1), torch.zeros(m, 1)])
        labels_g = torch.ones(mg, 1)
        d_params = list(D.parameters())

        def step():
            # (a) discriminator step on 256 real + 256 generated
            with torch.no_grad():
                fake = G(torch.randn(m, pc.NOISE))
            opt_d.zero_grad(set_to_none=True)
            loss_d = bce(D(torch.cat([real, fake])), labels_d)
            loss_d.backward()
            opt_d.step()
            # (b) generator step through the frozen discriminator
            for p in d_params:
                p.requires_grad_(False)
            opt_g.zero_grad(set_to_none=True)
            loss_g = bce(D(G(torch.randn(mg, pc.NOISE))), labels_g)
            loss_g.backward()
            opt_g.step()
            for p in d_params:
                p.requires_grad_(True)

        rate = pc.measure(step, args.seconds, args.warmup, f"gan{n}", args.repeat)
        return pc.train_record(f"gan{n}", T, rate, mg, pc.gan_flops(n), PEER)

    def sgemm():
        # The gan17 step's matrix products only (same shapes, same order as pc.gan_gemms), on
        # preallocated buffers with torch.mm(out=): no activations, loss, optimizer or noise.
        n = 17
        Wg = [torch.randn(a, b) / a ** 0.5 for a, b in pc.layer_pairs(pc.generator_sizes(n))]
        Wd = [torch.randn(a, b) / a ** 0.5 for a, b in pc.layer_pairs(pc.discriminator_sizes(n))]
        ops = []

        def forward(ws, m):
            acts = [torch.randn(m, ws[0].shape[0])] + [torch.empty(m, w.shape[1]) for w in ws]
            ops.extend((acts[i], w, acts[i + 1]) for i, w in enumerate(ws))
            return acts

        def backward(ws, acts, m, weight_grads):
            grads = [torch.empty(m, w.shape[0]) for w in ws] + [torch.randn(m, ws[-1].shape[1])]
            for i in reversed(range(len(ws))):
                if weight_grads:
                    ops.append((acts[i].t(), grads[i + 1], torch.empty_like(ws[i])))
                ops.append((grads[i + 1], ws[i].t(), grads[i]))

        m, mg = pc.GAN_BATCH, pc.GAN_GEN_BATCH
        forward(Wg, m)                                    # (a) G forward, 256
        backward(Wd, forward(Wd, 2 * m), 2 * m, True)     # (a) D forward + backward, 512
        acts_g = forward(Wg, mg)                          # (b) G forward, 512
        backward(Wd, forward(Wd, mg), mg, False)          # (b) D forward + input gradients
        backward(Wg, acts_g, mg, True)                    # (b) G backward
        assert [(p.shape[0], p.shape[1], q.shape[1]) for p, q, _ in ops] == \
            [(mm, a, b) if op == "fwd" else (a, mm, b) if op == "dw" else (mm, b, a)
             for op, mm, a, b, _ in pc.gan_gemms(n)]

        def step():
            for p, q, out in ops:
                torch.mm(p, q, out=out)

        rate = pc.measure(step, args.seconds, args.warmup, "sgemm", args.repeat)
        return pc.train_record("sgemm", T, rate, pc.GAN_GEN_BATCH, pc.gan_flops(n), PEER)

    def generation(model):
        if model == "gen17":
            net = mlp(pc.generator_sizes(17))
        else:
            net = nn.Sequential(mlp([pc.NOISE] + pc.GEN_HIDDEN + [pc.LATENT]), mlp(pc.AE_DECODER))
        net.eval()

        def step():
            with torch.inference_mode():
                out = net(torch.randn(pc.GEN_BATCH, pc.NOISE))
            return out

        rate = pc.measure(step, args.seconds, args.warmup, model, args.repeat)
        return pc.gen_record(model, T, rate, PEER)

    runners = {"ae": ae, "gan17": lambda: gan(17), "gan7": lambda: gan(7), "sgemm": sgemm,
               "gen17": lambda: generation("gen17"), "latent": lambda: generation("latent")}
    for model in args.models:
        pc.emit(runners[model]())


if __name__ == "__main__":
    main()
