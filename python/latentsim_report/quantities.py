"""The physics quantities of latentsim's Physics/DerivedQuantity.swift, in numpy (same formulas, in
double precision from the float32 columns), so the report histograms what `evaluate` compared. Their
inputs are roles (mu1_E, met_px, ...), played by the columns the role map names (Support/Config/
ColumnRoles.swift: `[roles]` of the run's config.toml, `--roles`), else by the columns named like them."""
import numpy as np

JET_PT_THRESHOLD = 15.0

INPUTS = {
    "mll": ["mu1_E", "mu1_px", "mu1_py", "mu1_pz", "mu2_E", "mu2_px", "mu2_py", "mu2_pz"],
    "ptll": ["mu1_px", "mu1_py", "mu2_px", "mu2_py"],
    "met": ["met_px", "met_py"],
    "phi_miss": ["met_px", "met_py"],
    "dphi_ll": ["mu1_px", "mu1_py", "mu2_px", "mu2_py"],
    "njets": ["jet1_pt", "jet2_pt", "jet3_pt", "jet4_pt", "jet5_pt"],
}


def column_of(role, columns, roles):
    """The column playing `role` among `columns`, or None: the column `roles` maps it to (if the table
    has it), else a column named like the role unless that name is mapped to another role
    (ColumnRoles.column(_:in:) in Swift)."""
    if role in roles:
        return roles[role] if roles[role] in columns else None
    return role if role in columns and role not in roles.values() else None


def compute(name, c):
    """Quantity `name` from `c`, a function role name → array."""
    if name == "mll":
        e, x = c("mu1_E") + c("mu2_E"), c("mu1_px") + c("mu2_px")
        y, z = c("mu1_py") + c("mu2_py"), c("mu1_pz") + c("mu2_pz")
        m2 = e * e - x * x - y * y - z * z
        return np.sqrt(np.where(m2 > 0, m2, 0.0))
    if name == "ptll":
        return np.hypot(c("mu1_px") + c("mu2_px"), c("mu1_py") + c("mu2_py"))
    if name == "met":
        return np.hypot(c("met_px"), c("met_py"))
    if name == "phi_miss":
        return np.arctan2(c("met_py"), c("met_px"))
    if name == "dphi_ll":
        d = np.arctan2(c("mu1_py"), c("mu1_px")) - np.arctan2(c("mu2_py"), c("mu2_px"))
        return np.where(d > np.pi, d - 2 * np.pi, np.where(d < -np.pi, d + 2 * np.pi, d))
    if name == "njets":
        return sum((c(j) > JET_PT_THRESHOLD).astype(np.float64) for j in INPUTS["njets"])
    raise KeyError(name)


def variables(columns, data, names, roles=None):
    """{name: values} for every column in `names` that the table has, and every quantity in `names`
    whose input roles its columns play under `roles` (role → column; None or {}: the built-in names),
    as float32 columns widened to double, like the Swift code."""
    roles = roles or {}
    index = {n: i for i, n in enumerate(columns)}

    def column(n):
        return data[:, index[n]].astype(np.float32).astype(np.float64)

    out = {}
    for name in names:
        if name in index:
            out[name] = column(name)
        elif name in INPUTS:
            played = {role: column_of(role, index, roles) for role in INPUTS[name]}
            if all(played.values()):
                out[name] = compute(name, lambda role: column(played[role]))
    return out
