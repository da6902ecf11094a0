"""The reference for Standardizer: per-feature mean and population standard deviation in numpy.

Writes standardizer.json next to this script:

    train               40 rows x 6 features, float32 values (written with 9 significant digits,
                        so they read back as the same float32)
    test                7 rows of the same features, some outside the training range
    mean, scale         numpy in float64 from the float32 training rows: X.mean(axis=0) and
                        X.std(axis=0) (ddof=0, the population standard deviation), a zero
                        standard deviation replaced by 1
    standardizedTest    (test - mean) / scale in float64

The features: N(0, 1); 1000 + N(0, 5) (a large offset); the constant 3.5 (scale 1, so it
standardizes to 0); N(-5, 100) (a wide spread); 1 + N(0, 0.001) (a narrow one); whole numbers
0..9. Before writing, the statistics are checked against scikit-learn's StandardScaler (mean_,
scale_, transform), so the file follows its definition.

Run with the project's peers venv: /work/venv-peers/bin/python make_standardizer_fixture.py
(needs numpy and scikit-learn).
"""
import json
import os

import numpy as np
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261203


def features(rng, rows):
    return np.stack([
        rng.normal(0.0, 1.0, rows),
        1000.0 + rng.normal(0.0, 5.0, rows),
        np.full(rows, 3.5),
        rng.normal(-5.0, 100.0, rows),
        1.0 + rng.normal(0.0, 0.001, rows),
        rng.integers(0, 10, rows).astype(np.float64),
    ], axis=1).astype(np.float32)


def as_written(x):
    """The float32 values as the JSON text holds them (9 significant digits round-trip)."""
    return [[float("%.9g" % v) for v in row] for row in x]


def main():
    rng = np.random.default_rng(SEED)
    train = np.array(as_written(features(rng, 40)), dtype=np.float32)
    test = features(rng, 7)
    test[0] = [4.0, 1030.0, 3.5, 400.0, 1.01, 12.0]     # outside the training range
    test = np.array(as_written(test), dtype=np.float32)

    x = train.astype(np.float64)
    mean = x.mean(axis=0)
    deviation = x.std(axis=0)      # ddof=0
    scale = np.where(deviation == 0.0, 1.0, deviation)
    standardized = (test.astype(np.float64) - mean) / scale

    scaler = StandardScaler().fit(x)
    assert np.allclose(scaler.mean_, mean, rtol=1e-12, atol=0), (scaler.mean_, mean)
    assert np.allclose(scaler.scale_, scale, rtol=1e-12, atol=0), (scaler.scale_, scale)
    assert np.allclose(scaler.transform(test.astype(np.float64)), standardized, rtol=1e-12, atol=1e-12)
    assert scale[2] == 1.0 and np.all(standardized[:, 2] == 0.0)

    document = {
        "description": "Standardizer reference: numpy float64 mean and population std (ddof 0, zero -> 1) "
                       "of float32 training rows; made by make_standardizer_fixture.py, checked against "
                       "scikit-learn's StandardScaler",
        "train": as_written(train),
        "test": as_written(test),
        "mean": [float(v) for v in mean],
        "scale": [float(v) for v in scale],
        "standardizedTest": [[float(v) for v in row] for row in standardized],
    }
    with open(os.path.join(HERE, "standardizer.json"), "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print("wrote standardizer.json: mean", mean, "scale", scale)


if __name__ == "__main__":
    main()
