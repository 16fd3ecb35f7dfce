#!/usr/bin/env python3
"""Checks Dynabatch's f* against an independent solver: scipy's L-BFGS-B on the matrix that
`dynabatch data` writes (features, then label), with the objective written out afresh in numpy.

Our f* is read from a run's first CSV row (f* = loss - subopt). Links with problem=data run on a fixture
(tests/fixtures), through `--data FILE`, and the matrix checked is the one `dynabatch data … --data FILE`
exports: standardised features, the bias column, and for least squares the centred and scaled target.
Usage: python3 tests/independent_optimum.py
"""
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp

CLI = Path(__file__).resolve().parent.parent / "target" / "release" / "dynabatch"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The link, its objective (the number of classes, or None for least squares), and its data file if any.
CASES = [
    ("problem=breast-cancer&lambda=0.001", 2, None),
    ("problem=breast-cancer&lambda=0.05", 2, None),
    ("problem=digits&lambda=0.001", 10, None),
    ("problem=synthetic&n=500&d=8&seed=5&lambda=0.01", 2, None),
    ("problem=data&lambda=0.001", 2, "breast_cancer.libsvm"),
    ("problem=data&lambda=0.01", None, "diabetes.csv"),
    ("problem=data&lambda=0.001&task=least-squares", None, "iris.csv"),
    ("problem=data&lambda=0.01&label=cultivar", 3, "wine.csv"),
]
TOLERANCE = 1e-9


def cli(*args: str) -> str:
    return subprocess.run([str(CLI), *args], check=True, capture_output=True, text=True).stdout


def objective(x, y, lam, classes):
    n, d = x.shape
    if classes is None:
        def f(w):
            r = x @ w - y
            return 0.5 * np.mean(r * r) + 0.5 * lam * w @ w, x.T @ r / n + lam * w
        return f, d
    if classes == 2:
        def f(w):
            z = x @ w
            loss = np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * w @ w
            grad = x.T @ (1.0 / (1.0 + np.exp(-z)) - y) / n + lam * w
            return loss, grad
        return f, d
    onehot = np.eye(classes)[y.astype(int)]

    def f(flat):
        w = flat.reshape(classes, d)
        logits = x @ w.T
        lse = logsumexp(logits, axis=1)
        loss = np.mean(lse - np.sum(logits * onehot, axis=1)) + 0.5 * lam * flat @ flat
        p = np.exp(logits - lse[:, None])
        grad = ((p - onehot).T @ x) / n + lam * w
        return loss, grad.ravel()
    return f, classes * d


def main() -> int:
    failures = 0
    for query, classes, fixture in CASES:
        file = ["--data", str(FIXTURES / fixture)] if fixture else []
        data = np.loadtxt(io.StringIO(cli("data", query, *file)), delimiter=",", skiprows=1)
        x, y = data[:, :-1], data[:, -1]
        lam = float(dict(p.split("=") for p in query.split("&"))["lambda"])
        f, dim = objective(x, y, lam, classes)
        result = minimize(f, np.zeros(dim), jac=True, method="L-BFGS-B",
                          options={"maxiter": 100000, "ftol": 1e-16, "gtol": 1e-11, "maxcor": 30})
        first_row = cli("run", query + "&T=1", *file).splitlines()[1].split(",")
        ours = float(first_row[3]) - float(first_row[4])
        gap = abs(ours - result.fun)
        ok = gap <= TOLERANCE
        failures += not ok
        print(f"{'ok' if ok else 'FAIL'}: {query}{' on ' + fixture if fixture else ''}: dynabatch f* = {ours:.15f}, scipy f* = {result.fun:.15f}, "
              f"|gap| = {gap:.1e} (scipy |grad| = {np.linalg.norm(result.jac):.1e})")
    print(f"{len(CASES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
