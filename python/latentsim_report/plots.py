"""The figures, drawn with matplotlib in the mplhep (CMS) style and saved as PNG files."""
import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mplhep  # noqa: E402
import numpy as np  # noqa: E402

plt.style.use(mplhep.style.CMS)
DPI = 60
REAL, GENERATED = "black", "tab:red"


SPIKE_SHARE = 0.05


def spike(real):
    """The value a continuous variable's real events pile up on (jet pT and isolation exactly 0 when
    there is no jet or no activity), if it holds at least SPIKE_SHARE of them; else None."""
    values, counts = np.unique(real, return_counts=True)
    if len(values) == 0 or counts.max() < SPIKE_SHARE * len(real):
        return None
    return float(values[counts.argmax()])


def binning(name, real):
    """Edges for one variable and its spike value (or None): integers get one bin each; otherwise 50
    equal bins over the real events' 0.1–99.9 % quantiles (the tails beyond are not drawn; KS uses
    every row). A continuous variable with a spike (`spike`) is binned over its real events off the
    spike, so the continuum is not squeezed under one tall bin; the spike is counted apart."""
    finite = real[np.isfinite(real)]
    lo, hi = np.quantile(finite, [0.001, 0.999])
    if np.all(finite == np.round(finite)) and hi - lo <= 60:
        return np.arange(np.floor(lo) - 0.5, np.ceil(hi) + 1.5), None
    at = spike(finite)
    rest = finite[finite != at] if at is not None else finite
    if at is not None and len(rest) > 0:
        lo, hi = np.quantile(rest, [0.001, 0.999])
    else:
        at = None
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, 51), at


def percent(count, total):
    return f"{100 * count / max(total, 1):.2f} %"


def histogram(path, name, real, generated, ks=None, floor=None):
    """Real vs generated, both normalised to unit area (over all their events, the spike's included),
    with the generated/real ratio below; a spike's shares are in the legend. Returns the counts drawn
    (for the sidecar JSON)."""
    edges, at = binning(name, real)
    on_r = np.count_nonzero(real == at) if at is not None else 0
    on_g = np.count_nonzero(generated == at) if at is not None else 0
    r_counts, _ = np.histogram(real[real != at] if at is not None else real, edges)
    g_counts, _ = np.histogram(generated[generated != at] if at is not None else generated, edges)
    width = np.diff(edges)
    r_area, g_area = max(len(real), 1), max(len(generated), 1)
    if at is None:
        r_area, g_area = max(r_counts.sum(), 1), max(g_counts.sum(), 1)
    r_density, g_density = r_counts / r_area / width, g_counts / g_area / width
    r_err, g_err = np.sqrt(r_counts) / r_area / width, np.sqrt(g_counts) / g_area / width
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6.5), gridspec_kw={"height_ratios": [3, 1], "hspace": 0.05},
                                      sharex=True)
    mplhep.histplot(r_density, edges, yerr=r_err, ax=top, color=REAL, label=f"real ({len(real):,})", histtype="errorbar",
                    markersize=4)
    label = f"generated ({len(generated):,})"
    if ks is not None:
        label += f"\nKS {ks:.4f}" + (f" (floor {floor:.4f})" if floor is not None else "")
    mplhep.histplot(g_density, edges, ax=top, color=GENERATED, label=label, histtype="step", linewidth=1.8)
    if at is not None:
        top.plot([], [], " ", label=f"at {at:g} (not drawn):\nreal {percent(on_r, len(real))}, "
                                    f"gen. {percent(on_g, len(generated))}")
    top.set_ylabel("normalised events / bin width", fontsize=14)
    top.legend(fontsize=13)
    top.set_ylim(bottom=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(r_density > 0, g_density / r_density, np.nan)
        ratio_err = np.where(r_density > 0, g_err / r_density, np.nan)
        band = np.where(r_density > 0, r_err / r_density, np.nan)
    centers = 0.5 * (edges[1:] + edges[:-1])
    bottom.fill_between(edges, np.append(1 - band, (1 - band)[-1]), np.append(1 + band, (1 + band)[-1]), step="post",
                        color="0.8", label="real stat.")
    bottom.errorbar(centers, ratio, yerr=ratio_err, fmt="o", color=GENERATED, markersize=3)
    bottom.axhline(1, color=REAL, linewidth=1)
    bottom.set_ylim(0.5, 1.5)
    bottom.set_yticks([0.75, 1.0, 1.25])
    bottom.set_ylabel("gen / real", fontsize=14)
    bottom.set_xlabel(name if at is None else f"{name} ≠ {at:g}")
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    counts = {"edges": edges.tolist(), "real": r_counts.tolist(), "generated": g_counts.tolist(),
              "real_rows": int(len(real)), "generated_rows": int(len(generated))}
    if at is not None:
        counts["spike"] = {"value": at, "real": int(on_r), "generated": int(on_g)}
    return counts


def correlations(path, names, real, generated):
    """Pearson correlation matrices of the real and generated columns and their difference."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant column has no correlation (drawn blank)
        c_real, c_gen = np.corrcoef(real, rowvar=False), np.corrcoef(generated, rowvar=False)
    n = len(names)
    fig, axes = plt.subplots(1, 3, figsize=(3 * (2 + 0.45 * n), 2 + 0.45 * n), constrained_layout=True)
    for ax, matrix, title, cmap, limit in [(axes[0], c_real, "real", "RdBu_r", 1), (axes[1], c_gen, "generated", "RdBu_r", 1),
                                           (axes[2], c_gen - c_real, "generated − real", "PuOr_r", None)]:
        lim = limit or max(float(np.nanmax(np.abs(matrix))), 1e-3)
        image = ax.imshow(matrix, cmap=cmap, vmin=-lim, vmax=lim)
        ax.set_xticks(range(n), names, rotation=90, fontsize=10)
        ax.set_yticks(range(n), names, fontsize=10)
        ax.set_title(title, fontsize=16)
        ax.minorticks_off()
        fig.colorbar(image, ax=ax, shrink=0.8)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return c_real, c_gen


def training(path, restarts, selected):
    """KS sum against step for every restart (selected snapshot starred) and the losses."""
    fig, (ks_ax, loss_ax) = plt.subplots(1, 2, figsize=(15, 6), constrained_layout=True)
    for restart, records in sorted(restarts.items()):
        steps = [r["step"] for r in records]
        line, = ks_ax.plot(steps, [r.get("ks_sum", np.nan) for r in records], marker=".", label=f"restart {restart}")
        losses = [r.get("losses") or {} for r in records]
        for key, style in [("d_loss", "-"), ("g_loss", "--")]:
            if any(key in l for l in losses):
                loss_ax.plot(steps, [l.get(key, np.nan) for l in losses], style, color=line.get_color(),
                             label=f"{restart}: {'discriminator' if key == 'd_loss' else 'generator'}")
    if selected is not None:
        ks_ax.plot([selected["step"]], [selected["ks_sum"]], marker="*", markersize=22, color="gold",
                   markeredgecolor="black", linestyle="none", label=f"selected (restart {selected['restart']})")
    ks_ax.set_xlabel("step")
    ks_ax.set_ylabel("KS sum of the score quantities")
    ks_ax.set_yscale("log")
    ks_ax.legend(fontsize=11, ncol=2)
    loss_ax.set_xlabel("step")
    loss_ax.set_ylabel("loss (mean since previous snapshot)")
    loss_ax.legend(fontsize=9, ncol=2)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def throughput(path, restarts, batch):
    """Training progress against wall-clock time per restart: the slope is the step rate."""
    fig, ax = plt.subplots(figsize=(8, 6), constrained_layout=True)
    for restart, records in sorted(restarts.items()):
        seconds = [r["seconds"] for r in records if "seconds" in r]
        steps = [r["step"] for r in records if "seconds" in r]
        if seconds:
            rate = steps[-1] / seconds[-1] if seconds[-1] > 0 else float("nan")
            ax.plot(seconds, steps, marker=".", label=f"restart {restart}: {rate:.1f} steps/s"
                    + (f", {rate * batch:,.0f} samples/s" if batch else ""))
    ax.set_xlabel("wall-clock seconds (with snapshot scoring)")
    ax.set_ylabel("step")
    ax.legend(fontsize=11)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def log_axis(ax, n):
    """A log N axis labelled at the grid's own N values only (no crowded minor labels)."""
    ax.set_xscale("log")
    ax.set_xticks(n, [f"{v:,.0f}" for v in n], fontsize=12)
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def study(path, augment):
    """AUC against the real-sample size N for (a) real, (b) real + generated per M/N, (c) generated,
    and the amplification factor against N per M/N."""
    n = np.asarray(augment["n_real"], dtype=float)
    fig, (auc_ax, amp_ax) = plt.subplots(1, 2, figsize=(15, 6), constrained_layout=True)
    auc = augment.get("auc", {})

    def curve(points, label, **style):
        """[[mean, std] or null per N]; points without a value (null) are left out."""
        rows = [(x, p[0], p[1]) for x, p in zip(n, points) if p is not None and p[0] is not None]
        if rows and len(points) == len(n):
            x, m, e = (np.asarray(v, dtype=float) for v in zip(*rows))
            auc_ax.errorbar(x, m, yerr=e, capsize=3, marker="o", label=label, **style)

    if "real" in auc:
        curve(auc["real"], "(a) N real", color="black")
    for ratio, points in sorted(auc.get("real+generated", {}).items(), key=lambda kv: float(kv[0])):
        if float(ratio) > 0:  # M/N = 0 is (a) itself
            curve(points, f"(b) N real + {ratio}·N generated", linestyle="--")
    generated = auc.get("generated")
    if isinstance(generated, dict):
        for ratio, points in sorted(generated.items(), key=lambda kv: float(kv[0])):
            if float(ratio) > 0:
                curve(points, f"(c) {ratio}·N generated only", linestyle=":")
    elif generated is not None:
        curve(generated, "(c) generated only", linestyle=":", color="tab:gray")
    log_axis(auc_ax, n)
    auc_ax.set_xlabel("N real background events")
    auc_ax.set_ylabel("classifier AUC (test set)")
    auc_ax.legend(fontsize=11)
    amplification = augment.get("amplification", {})
    ratios = sorted({r for per_n in amplification.values() for r in per_n if float(r) > 0}, key=float)
    for ratio in ratios:
        xs = sorted((float(k), v.get(ratio)) for k, v in amplification.items())
        xs = [(x, y) for x, y in xs if y is not None]
        if xs:
            amp_ax.plot([x for x, _ in xs], [y for _, y in xs], marker="o", label=f"M/N = {ratio}")
    amp_ax.axhline(1, color="black", linewidth=1)
    log_axis(amp_ax, n)
    amp_ax.set_xlabel("N real background events")
    amp_ax.set_ylabel("amplification N'/N of (b)")
    amp_ax.legend(fontsize=11)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
