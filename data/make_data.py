#!/usr/bin/env python3
"""Writes the compact data files under data/: the two UCI data sets that scikit-learn's wheel carries, and
MNIST-1D (Greydanus 2020, Apache-2.0), which the `mnist1d` package generates offline and deterministically
from its default arguments and seed: 4,000 training and 1,000 test signals of 40 points, 10 classes.

Run once by a maintainer (`pip install scikit-learn mnist1d && python3 data/make_data.py`); the outputs are committed,
so neither the app nor its tests need Python. The files hold the *raw* values: scaling and the bias column
are applied once, in Rust, when a problem's data set is built (src/core/data.rs), so the CLI and the page see
the same matrix.

Format, little-endian: b"DBDS1\\0\\0\\0", u32 rows, u32 features, u32 classes,
then rows*features float32 values (row-major), then rows uint8 labels (0..classes-1).
DBDS2 is the same with uint8 values, written when every value is a whole number in 0..255 (digits' pixel
intensities 0..16): the same values in a quarter of the bytes, which the page's wasm carries.
"""
import struct
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits

OUT = Path(__file__).resolve().parent


def write(name: str, features: np.ndarray, labels: np.ndarray) -> None:
    rows, cols = features.shape
    classes = int(labels.max()) + 1
    small_whole = bool(np.all(features == np.round(features)) and features.min() >= 0 and features.max() <= 255)
    with open(OUT / name, "wb") as f:
        f.write(b"DBDS2\0\0\0" if small_whole else b"DBDS1\0\0\0")
        f.write(struct.pack("<III", rows, cols, classes))
        f.write(features.astype("u1" if small_whole else "<f4").tobytes(order="C"))
        f.write(labels.astype("u1").tobytes())
    print(f"{name}: {rows} x {cols}, {classes} classes")


def mnist1d() -> None:
    """Its training and test sets as two files: real values, so float32 (DBDS1)."""
    from mnist1d.data import get_dataset_args, make_dataset

    d = make_dataset(get_dataset_args())
    write("mnist1d-train.bin", d["x"], d["y"])
    write("mnist1d-test.bin", d["x_test"], d["y_test"])


cancer = load_breast_cancer()
write("breast_cancer.bin", cancer.data, cancer.target)
digits = load_digits()
write("digits.bin", digits.data, digits.target)
mnist1d()
