#!/usr/bin/env python3
"""Builds reference.json for MetricsTests from scipy/numpy.

Run from this directory:  python3 make_reference.py
Inputs are deterministic. Small and medium samples are stored verbatim; large samples are
described by a formula the Swift tests reproduce exactly with integer arithmetic and one
correctly rounded division/multiply/sqrt per value:
    r = (i * multiplier) % modulus            for i in 0..<count
    u = r / modulus                           (float64 division)
    t = u | u*u | sqrt(u)                     (transform: id, square, sqrt)
    value = t * scale + offset
"""
import json
import math
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.stats import _stats_py

MAX_AUTO_N = 10000


def formula(count, multiplier, modulus, scale=1.0, offset=0.0, transform="id"):
    r = (np.arange(count, dtype=np.int64) * multiplier) % modulus
    u = r.astype(np.float64) / float(modulus)
    if transform == "square":
        t = u * u
    elif transform == "sqrt":
        t = np.sqrt(u)
    else:
        assert transform == "id"
        t = u
    values = t * scale + offset
    spec = dict(count=count, multiplier=multiplier, modulus=modulus, scale=scale,
                offset=offset, transform=transform)
    return values, spec


def sample_entry(values, spec=None):
    if spec is not None:
        return {"formula": spec}
    return {"values": [float(v) for v in values]}


def ks_case(name, a, b, spec_a=None, spec_b=None):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(a, b, alternative="two-sided", method="auto")
    method = "exact" if max(len(a), len(b)) <= MAX_AUTO_N else "asymptotic"
    if any("Switching to method" in str(w.message) for w in caught):
        method = "asymptotic"
    return {
        "name": name,
        "a": sample_entry(a, spec_a),
        "b": sample_entry(b, spec_b),
        "statistic": float(res.statistic),
        "pvalue": float(res.pvalue),
        "method": method,
        "wasserstein": float(stats.wasserstein_distance(a, b)),
    }


def ks_cases():
    rng = np.random.default_rng(20240611)
    cases = []
    cases.append(ks_case("ties_small", [1, 2, 2, 3, 3, 3, 4], [2, 2, 3, 5, 5, 1, 0, 3]))
    cases.append(ks_case("single_vs_single", [0.5], [1.5]))
    cases.append(ks_case("single_vs_five", [2.0], [0.0, 1.0, 2.0, 3.0, 4.0]))
    cases.append(ks_case("unequal_7_11",
                         np.round(rng.normal(0.0, 1.0, 7), 1),
                         np.round(rng.normal(0.4, 1.0, 11), 1)))
    cases.append(ks_case("unequal_40_25",
                         rng.normal(0.0, 1.0, 40), rng.normal(0.5, 1.2, 25)))
    same = rng.normal(0.0, 1.0, 50)
    cases.append(ks_case("identical_50", same, same.copy()))
    cases.append(ks_case("disjoint_12_9", rng.uniform(0, 1, 12), rng.uniform(5, 6, 9)))
    cases.append(ks_case("equal_size_60", rng.normal(0, 1, 60), rng.normal(0.3, 1, 60)))
    cases.append(ks_case("equal_size_ties_200",
                         rng.integers(0, 12, 200).astype(float),
                         rng.integers(1, 13, 200).astype(float)))
    cases.append(ks_case("medium_300_500",
                         rng.normal(0.0, 1.0, 300), rng.standard_t(5, 500)))
    cases.append(ks_case("medium_ties_300_500",
                         rng.integers(0, 10, 300).astype(float),
                         rng.integers(0, 11, 500).astype(float)))
    cases.append(ks_case("tiny_pvalue_400_350",
                         rng.normal(0.0, 1.0, 400), rng.normal(0.9, 1.0, 350)))
    # Formula-generated pairs.
    big = [
        # exact branch at the boundary max(n1, n2) == 10000
        ("exact_boundary_10000_8000", (10000, 7919, 10007, 1.0, 0.0, "id"),
         (8000, 104729, 8009, 1.0, 0.0, "sqrt")),
        # asymptotic branch, kstwo n = 5143, small D (Durbin matrix)
        ("asymp_12000_9000_close", (12000, 7919, 12007, 1.0, 0.0, "id"),
         (9000, 104729, 9001, 1.0, 0.004, "id")),
        # asymptotic, moderate D (Pelz-Good)
        ("asymp_12000_9000_pelzgood", (12000, 7919, 12007, 1.0, 0.0, "id"),
         (9000, 104729, 9001, 1.0, 0.012, "id")),
        # asymptotic, D just above the 2 * smirnov cut-over
        ("asymp_12000_9000_smirnov", (12000, 7919, 12007, 1.0, 0.0, "id"),
         (9000, 104729, 9001, 1.0, 0.03, "id")),
        # asymptotic, large D (2 * smirnov)
        ("asymp_12000_9000_far", (12000, 7919, 12007, 1.0, 0.0, "id"),
         (9000, 104729, 9001, 1.0, 0.0, "square")),
        # asymptotic with kstwo n <= 140
        ("asymp_10050_60", (10050, 7919, 10061, 1.0, 0.0, "id"),
         (60, 37, 61, 1.0, 0.05, "id")),
        ("asymp_10050_60_pomeranz", (10050, 7919, 10061, 1.0, 0.0, "id"),
         (60, 37, 61, 1.0, 0.15, "id")),
        ("asymp_10050_60_far", (10050, 7919, 10061, 1.0, 0.0, "id"),
         (60, 37, 61, 1.0, 0.0, "square")),
        # exact branch with heavy ties (values quantised to 1/50)
        ("exact_ties_3000_2000", (3000, 7919, 50, 1.0, 0.0, "id"),
         (2000, 104729, 50, 1.0, 0.0, "sqrt")),
    ]
    for name, fa, fb in big:
        a, sa = formula(*fa)
        b, sb = formula(*fb)
        cases.append(ks_case(name, a, b, sa, sb))
    return cases


def exact_grid():
    rows = []
    sizes = [(1, 1), (3, 3), (5, 7), (7, 11), (10, 10), (25, 40), (60, 60), (97, 101),
             (300, 500), (1000, 1000), (999, 1000), (2500, 4000), (10000, 10000),
             (10000, 9999)]
    for n1, n2 in sizes:
        g = math.gcd(n1, n2)
        lcm = (n1 // g) * n2
        for frac in (0.0, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0):
            d = round(frac * lcm) / lcm if frac > 0 else 0.0
            if n1 * n2 > 1e7 and frac > 0.2:
                continue  # keep the grid cheap; tails are covered by smaller sizes
            ok, dd, p = _stats_py._attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
            if not ok:
                continue
            rows.append({"n1": n1, "n2": n2, "d": float(d), "statistic": float(dd),
                         "pvalue": float(p)})
    return rows


def kstwo_grid():
    rows = []
    ns = [1, 2, 3, 5, 10, 30, 100, 140, 141, 500, 5143, 20000, 100000, 100001, 1500000]
    xs = [0.001, 0.004, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6,
          0.9, 0.99]
    for n in ns:
        for x in xs + [0.75 / n, 1.0 / n, 1.2 / n, 1.9 / n, 3.7 / n]:
            if x >= 1.0:
                continue
            rows.append({"n": n, "x": float(x), "sf": float(stats.kstwo.sf(x, n)),
                         "cdf": float(stats.kstwo.cdf(x, n))})
    return rows


def smirnov_grid():
    rows = []
    for n in [1, 2, 5, 10, 50, 141, 1000, 5143, 1000001]:
        for x in [0.0, 0.001, 0.01, 0.03, 0.1, 0.25, 0.5, 0.7, 0.95, 1.0]:
            rows.append({"n": n, "x": x, "sf": float(special.smirnov(n, x))})
    return rows


def correlation_case():
    rng = np.random.default_rng(7)
    rows = 200
    z = rng.normal(size=(rows, 5))
    x = np.column_stack([z[:, 0], 0.6 * z[:, 0] + 0.8 * z[:, 1], z[:, 2] ** 2,
                         -z[:, 0] + 0.1 * z[:, 3], z[:, 4]])
    w = rng.normal(size=(rows, 5))
    y = np.column_stack([w[:, 0], 0.3 * w[:, 0] + w[:, 1], w[:, 2], -w[:, 0] + w[:, 3],
                         w[:, 4] + 0.5 * w[:, 2]])
    cx = np.corrcoef(x, rowvar=False)
    cy = np.corrcoef(y, rowvar=False)
    iu = np.triu_indices(5, k=1)
    diff = np.abs(cx - cy)[iu]
    return {
        "x_columns": x.T.tolist(),
        "y_columns": y.T.tolist(),
        "corr_x": cx.tolist(),
        "corr_y": cy.tolist(),
        "max_abs_diff": float(diff.max()),
        "mean_abs_diff": float(diff.mean()),
    }


def main():
    out = {
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "ks_cases": ks_cases(),
        "exact_grid": exact_grid(),
        "kstwo_grid": kstwo_grid(),
        "smirnov_grid": smirnov_grid(),
        "correlation": correlation_case(),
    }
    with open("reference.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
