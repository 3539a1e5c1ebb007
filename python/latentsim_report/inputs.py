"""Reading what the latentsim commands wrote into a run directory (and nothing else)."""
import glob
import json
import os
import tomllib

import h5py
import numpy as np


class ReportInputError(Exception):
    """A missing or malformed input: one line saying what was expected, where, and the fix."""


def read_json(path):
    with open(path) as f:
        return json.load(f)


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_table(path, rows, dataset="events"):
    """The first `rows` rows of a latentsim event table: a 2-D dataset with a 'columns' attribute,
    or a group of 1-D datasets (one per column). Returns (column names, float64 array rows × columns)."""
    with h5py.File(path, "r") as f:
        if dataset not in f:
            raise ReportInputError(f"'{path}' holds no '{dataset}'; expected a table written by latentsim")
        node = f[dataset]
        if isinstance(node, h5py.Dataset):
            names = [c.decode() if isinstance(c, bytes) else str(c) for c in node.attrs["columns"]]
            data = np.asarray(node[:rows], dtype=np.float64)
        else:
            names = [c.decode() if isinstance(c, bytes) else str(c) for c in node.attrs["columns"]] \
                if "columns" in node.attrs else list(node.keys())
            data = np.stack([np.asarray(node[c][:rows], dtype=np.float64) for c in names], axis=1)
    return names, data


class Run:
    """One run directory: the evaluation, its two tables, the ensemble and generation records."""

    def __init__(self, run, study=None):
        self.dir = run
        self.evaluation_path = os.path.join(run, "evaluation.json")
        if not os.path.isfile(self.evaluation_path):
            raise ReportInputError(f"'{self.evaluation_path}' does not exist; give the output directory of "
                                   "`latentsim pipeline` (or run `latentsim evaluate --out RUN/evaluation.json` first)")
        self.evaluation = read_json(self.evaluation_path)
        self.real_path = self._table("real", os.path.join(run, "heldout.h5"))
        self.generated_path = self._table("generated", os.path.join(run, "generated", "events.h5"))
        rows = self.evaluation.get("rows", {})
        self.real_columns, self.real = read_table(self.real_path, rows.get("real"))
        self.generated_columns, self.generated = read_table(self.generated_path, rows.get("generated"))
        self.ensemble = os.path.join(run, "ensemble")
        self.study = study if study else os.path.join(run, "study")

    def _table(self, role, default):
        """The table evaluate compared (its path in evaluation.json), else the pipeline's file in RUN."""
        recorded = self.evaluation.get(role)
        if isinstance(recorded, str):
            if os.path.isdir(recorded):
                recorded = os.path.join(recorded, "events.h5")
            if os.path.isfile(recorded):
                return recorded
        if os.path.isfile(default):
            return default
        raise ReportInputError(f"the {role} events of {self.evaluation_path} ('{recorded}') and '{default}' do not "
                               "exist; rerun `latentsim evaluate` (or the pipeline) on this directory")

    def restarts(self):
        """{restart: [snapshot records]} from ENSEMBLE/restarts/NNN/snapshots.jsonl."""
        found = {}
        for path in sorted(glob.glob(os.path.join(self.ensemble, "restarts", "*", "snapshots.jsonl"))):
            records = read_jsonl(path)
            if records:
                found[int(records[0].get("restart", os.path.basename(os.path.dirname(path))))] = records
        return found

    def optional_json(self, *parts):
        path = os.path.join(*parts)
        return read_json(path) if os.path.isfile(path) else None

    def selection(self):
        return self.optional_json(self.ensemble, "best", "selection.json")

    def leaderboard(self):
        return self.optional_json(self.ensemble, "leaderboard.json")

    def ensemble_config(self):
        path = os.path.join(self.ensemble, "config.toml")
        if not os.path.isfile(path):
            return {}
        with open(path, "rb") as f:
            return tomllib.load(f).get("ensemble", {})

    def manifest(self):
        generated = os.path.dirname(self.generated_path)
        return self.optional_json(generated, "manifest.json")

    def reducer_history(self):
        path = os.path.join(self.dir, "reduce", "history.jsonl")
        return read_jsonl(path) if os.path.isfile(path) else None

    def augment(self):
        return self.optional_json(self.study, "augment.json")

    def latent_study(self):
        return self.optional_json(self.study, "latent.json")
