"""Builds DIR/report/: the figures, histograms.json (the counts each histogram drew) and index.html.
Everything is written under a temporary name first and renamed when complete."""
import json
import os
import shutil
import statistics
import time

import numpy as np

from . import page, plots, quantities
from .inputs import ReportInputError, Run

__all__ = ["build", "ReportInputError"]


def build(run_dir, out_dir, study_dir=None, roles=None):
    """`roles`: role → column map the derived quantities are computed under (None: built-in names)."""
    clock = time.monotonic()
    run = Run(run_dir, study_dir)
    final = os.path.join(out_dir, "report")
    temporary = os.path.join(out_dir, f".report-partial-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    try:
        os.makedirs(temporary)
    except OSError as error:
        raise ReportInputError(f"cannot create '{temporary}' ({error.strerror}); give a writable --out")
    sections = [("summary", "Summary", summary(run))]
    sections.append(("histograms", "Histograms: real vs generated", histograms(run, temporary, roles or {})))
    sections.append(("correlations", "Correlations", correlations(run, temporary)))
    restarts = run.restarts()
    sections.append(("training", "Training", training(run, restarts, temporary)))
    sections.append(("leaderboard", "Leaderboard", leaderboard(run)))
    sections.append(("throughput", "Throughput", throughput(run, restarts, temporary)))
    sections.append(("study", "Classifier study", study(run, temporary)))
    with open(os.path.join(temporary, "index.html"), "w") as f:
        f.write(page.document(f"latentsim report: {os.path.abspath(run_dir)}", sections))
    previous = os.path.join(out_dir, f".report-previous-{os.getpid()}")
    if os.path.exists(final):
        os.rename(final, previous)
    os.rename(temporary, final)
    shutil.rmtree(previous, ignore_errors=True)
    return os.path.join(final, "index.html"), time.monotonic() - clock


def test_description(c):
    """Which classifier test produced the AUC (evaluation.json's `classifier` member), or "" for older reports."""
    if not c:
        return ""
    hidden = c.get("hidden", [])
    rows = c.get("rows", {})
    frame = f" in {c['frame']}'s azimuthal frame" if c.get("frame") else ""
    return (f"; {len(hidden)} × {hidden[0] if hidden else 0} MLP on {len(c.get('inputs', []))} inputs{frame}, "
            f"epoch {c.get('epoch_kept')} of at most {c.get('max_epochs')} kept by early stopping, "
            f"AUC on 2 × {rows.get('test')} held-out rows")


def summary(run):
    e = run.evaluation
    rows = [["real events", page.esc(run.real_path), page.number(len(run.real))],
            ["generated events", page.esc(run.generated_path), page.number(len(run.generated))]]
    lines = [page.table(["", "file", "rows compared"], rows), "<ul>"]
    if e.get("ks_sum_paper") is not None:
        lines.append(f"<li>KS sum of the paper (mll + phi_miss + mu1_iso): <b>{e['ks_sum_paper']:.4f}</b></li>")
    if e.get("classifier_auc") is not None:
        std = e.get("classifier_auc_std")
        lines.append(f"<li>classifier two-sample AUC: <b>{e['classifier_auc']:.4f}</b>"
                     + (f" ± {std:.4f}" if std is not None else "") + " (0.5 = indistinguishable"
                     + test_description(e.get("classifier")) + ")</li>")
    ks, floor = e.get("ks", {}), e.get("floor", {})
    above = [k for k in ks if k in floor and ks[k] > floor[k]]
    if e.get("critical") is not None:
        lines.append(f"<li>asymptotic 5 % KS critical value for these sizes: {e['critical']:.4f}; "
                     f"{len(above)} of {len(ks)} variables above their noise floor</li>")
    worst = e.get("max_correlation_difference")
    if worst:
        lines.append(f"<li>largest correlation difference {worst['value']:.3f} for ({', '.join(worst['pair'])}): "
                     f"real {worst['real']:.3f}, generated {worst['generated']:.3f}</li>")
    lines.append("</ul>")
    return "\n".join(lines)


def histograms(run, folder, roles):
    e = run.evaluation
    ks, floor = e.get("ks", {}), e.get("floor", {})
    common = [c for c in run.real_columns if c in run.generated_columns]
    names = [c for c in common if not ks or c in ks] + [q for q in ks if q not in common]
    real = quantities.variables(run.real_columns, run.real, names, roles)
    generated = quantities.variables(run.generated_columns, run.generated, names, roles)
    drawn, figures, sidecar = [], [], {}
    for name in names:
        if name not in real or name not in generated:
            continue
        r, g = real[name], generated[name]
        r, g = r[np.isfinite(r)], g[np.isfinite(g)]
        counts = plots.histogram(os.path.join(folder, f"hist_{name}.png"), name, r, g, ks.get(name), floor.get(name))
        counts["kind"] = "column" if name in common else "quantity"
        sidecar[name] = counts
        drawn.append(name)
        figures.append(page.figure(f"hist_{name}.png", f"histogram of {name}"))
    with open(os.path.join(folder, "histograms.json"), "w") as f:
        json.dump(sidecar, f)
    skipped = [n for n in names if n not in drawn]
    note = (f"<p class=\"note\">Not drawn (the report cannot compute them from the columns playing their roles): "
            f"{page.esc(', '.join(skipped))}</p>"
            if skipped else "")
    return ("<p class=\"note\">Both histograms normalised to unit area; error bars and the grey band are the "
            "statistical uncertainties of the counts. Bins span the real events' 0.1–99.9 % quantiles (one bin per "
            "integer for integer variables). A variable with at least 5 % of its real events on one value (jet pT or "
            "isolation exactly 0) is drawn off that value, binned over the quantiles of the rest, both histograms still "
            "normalised to all their events; the shares on the value are in the legend. KS (from evaluation.json, over every row) and its noise floor (KS of two "
            "random halves of the real rows, rescaled to the sizes compared) are in the legend. The counts drawn are "
            "in histograms.json.</p>\n" + note + '<div class="grid">' + "\n".join(figures) + "</div>")


def correlations(run, folder):
    common = [c for c in run.real_columns if c in run.generated_columns]
    if len(common) < 2:
        return "<p class=\"note\">Fewer than two common columns: no correlation matrix.</p>"
    ri = [run.real_columns.index(c) for c in common]
    gi = [run.generated_columns.index(c) for c in common]
    r, g = run.real[:, ri], run.generated[:, gi]
    r, g = r[np.all(np.isfinite(r), axis=1)], g[np.all(np.isfinite(g), axis=1)]
    plots.correlations(os.path.join(folder, "correlations.png"), common, r, g)
    return page.figure("correlations.png", "correlation matrices",
                       "Pearson correlation coefficients of the columns: real, generated, and their difference "
                       "(colour scale of the difference set by its largest entry).")


def training(run, restarts, folder):
    if not restarts:
        return f"<p class=\"note\">No snapshots.jsonl under {page.esc(run.ensemble)}/restarts: no training curves.</p>"
    chosen = run.selection()
    selected = None
    if chosen:
        for record in restarts.get(chosen.get("restart"), []):
            if record.get("step") == chosen.get("step"):
                selected = record
    plots.training(os.path.join(folder, "training.png"), restarts, selected)
    caption = ("Left: KS sum of the score quantities of each snapshot (generated validation events vs the "
               "validation rows) for every restart; the star is the snapshot `select` chose"
               + (f" (restart {chosen['restart']}, step {chosen['step']}, {chosen.get('metric', 'metric')} "
                  f"{chosen.get('value', float('nan')):.4f})" if chosen else "")
               + ". Right: discriminator and generator losses averaged since the previous snapshot.")
    return page.figure("training.png", "KS sum and losses against step", caption)


def leaderboard(run):
    board = run.leaderboard()
    if not board:
        return f"<p class=\"note\">No {page.esc(run.ensemble)}/leaderboard.json.</p>"
    keys = sorted({k for row in board for k in row.get("ks", {})})
    chosen = run.selection() or {}
    header = ["rank", "restart", "step", "KS sum", "rank sum"] + [f"KS {k}" for k in keys] + ["diverged", "stored"]
    rows = [[page.number(r.get("rank")), page.number(r.get("restart")), page.number(r.get("step")),
             page.number(r.get("ks_sum")), page.number(r.get("rank_sum"))]
            + [page.number(r.get("ks", {}).get(k)) for k in keys]
            + [page.esc(r.get("reason") or r.get("diverged")), page.esc(r.get("stored"))] for r in board]
    return (f"<p class=\"note\">{len(board)} snapshots, best first; the highlighted row is the one selected.</p>"
            + page.table(header, rows, lambda i: (board[i].get("restart"), board[i].get("step"))
                         == (chosen.get("restart"), chosen.get("step"))))


def throughput(run, restarts, folder):
    rows = []
    history = run.reducer_history()
    if history:
        rates = [h["samples_per_s"] for h in history if "samples_per_s" in h]
        if rates:
            rows.append(["reducer training", f"{statistics.median(rates):,.0f} samples/s (median of {len(rates)} steps)"])
    batch = run.ensemble_config().get("batch")
    for restart, records in sorted(restarts.items()):
        last = records[-1]
        if last.get("seconds"):
            rate = last["step"] / last["seconds"]
            rows.append([f"ensemble restart {restart}", f"{rate:.2f} steps/s" + (f", {rate * batch:,.0f} samples/s "
                         f"(batch {batch})" if batch else "") + f" over {last['step']} steps, snapshot scoring included"])
    manifest = run.manifest()
    if manifest and manifest.get("seconds"):
        rows.append(["generation", f"{manifest['events'] / manifest['seconds']:,.0f} events/s "
                     f"({manifest['events']:,} events in {manifest['seconds']:.1f} s)"])
    if not rows:
        return "<p class=\"note\">No timing records found.</p>"
    content = page.table(["stage", "throughput"], rows)
    if restarts:
        plots.throughput(os.path.join(folder, "throughput.png"), restarts, batch)
        content += page.figure("throughput.png", "training step against wall-clock time",
                               "Step against wall-clock seconds for each restart (on the machine as loaded then).")
    return content


def study(run, folder):
    augment, latent = run.augment(), run.latent_study()
    if not augment and not latent:
        return (f"<p class=\"note\">No study in {page.esc(run.study)} (run `latentsim study augment --out STUDY` "
                "and give `--study STUDY`).</p>")
    content = []
    if augment:
        plots.study(os.path.join(folder, "study.png"), augment)
        content.append(page.figure("study.png", "classifier AUC against N and amplification",
                                   "Left: test-set AUC of the signal-vs-background classifier trained on (a) N real, "
                                   "(b) N real + M generated, (c) generated background only (mean ± spread over "
                                   "seeds). Right: amplification factor of (b) read off the (a) curve."))
        content.append(study_tables(augment))
    if latent:
        a = latent.get("auc", {})
        rows = [[page.esc(k), " ± ".join(page.number(x) for x in v)] for k, v in a.items()]
        content.append(f"<h3>Latent study</h3><p class=\"note\">{page.esc(latent.get('latent'))} latent variables vs "
                       f"{page.esc(latent.get('features'))} features.</p>" + page.table(["inputs", "AUC"], rows))
    return "\n".join(content)


def study_tables(augment):
    """AUC (mean ± spread) per N and M/N for (a), (b), (c), and the amplification factors."""
    n_real, auc = augment["n_real"], augment.get("auc", {})

    def cell(points, i):
        p = points[i] if points is not None and i < len(points) else None
        return "–" if p is None or p[0] is None else f"{p[0]:.4f} ± {p[1]:.4f}"

    amp = augment.get("amplification", {})
    outside = augment.get("amplification_outside_grid", {})
    ratios = sorted({r for per_n in amp.values() for r in per_n}, key=float) or \
        sorted(auc.get("real+generated", {}), key=float)
    rows = []
    for i, n in enumerate(n_real):
        for ratio in ratios:
            a = amp.get(str(n), {}).get(ratio)
            note = outside.get(str(n), {}).get(ratio)
            generated = auc.get("generated")
            c = cell(generated.get(ratio) if isinstance(generated, dict) else generated, i)
            rows.append([page.number(n), page.esc(ratio), cell(auc.get("real"), i),
                         cell(auc.get("real+generated", {}).get(ratio), i), c,
                         page.esc(note) if note else ("–" if a is None else f"{a:.3g}")])
    seeds = augment.get("seeds")
    return (f"<p class=\"note\">Test set: {page.esc(augment.get('test_rows'))} rows"
            + (f"; mean ± std over {page.esc(seeds)} seeds" if seeds else "") + ".</p>"
            + page.table(["N", "M/N", "(a) real", "(b) real + generated", "(c) generated", "amplification N′/N"], rows))
