"""scikit-learn's breast-cancer data for `mlp train --standardize`, and scikit-learn's own MLP on it.

Writes to OUT (default out/breast-cancer):

    train.csv, test.csv         a 75/25 split stratified by class (train_test_split(test_size=0.25,
                                stratify=y, random_state=SEED)): label (0 malignant, 1 benign) in
                                the first column, then the 30 raw features (9 significant digits)
    train-standardized.csv,     the same rows standardized by hand: StandardScaler fitted on the
    test-standardized.csv       training rows only, applied to both

and prints the test accuracy of scikit-learn's MLPClassifier (hidden layers 64, 64, ReLU, Adam,
batch 32, 200 epochs at most, random_state SEED) on the raw and on the standardized features.
Then compare with

    mlp train --data OUT/train.csv --layers 30,64,64,2 --epochs 100 --batch-size 32 --save raw.safetensors
    mlp train --data OUT/train.csv --layers 30,64,64,2 --epochs 100 --batch-size 32 --standardize --save std.safetensors
    mlp evaluate --model raw.safetensors --data OUT/test.csv
    mlp evaluate --model std.safetensors --data OUT/test.csv

Needs numpy and scikit-learn (`make peers-env`, or /work/venv-peers).
"""
import argparse
import os
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

SEED = 0


def write(path, x, y):
    header = "label," + ",".join("f%d" % j for j in range(x.shape[1]))
    rows = np.column_stack([y.astype(np.float64), x.astype(np.float32).astype(np.float64)])
    np.savetxt(path, rows, delimiter=",", fmt=["%d"] + ["%.9g"] * x.shape[1], header=header, comments="")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("out", "breast-cancer"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=y, random_state=SEED)
    scaler = StandardScaler().fit(x_train)
    write(os.path.join(args.out, "train.csv"), x_train, y_train)
    write(os.path.join(args.out, "test.csv"), x_test, y_test)
    write(os.path.join(args.out, "train-standardized.csv"), scaler.transform(x_train), y_train)
    write(os.path.join(args.out, "test-standardized.csv"), scaler.transform(x_test), y_test)
    print("%s: %d training rows (classes %s), %d test rows (classes %s), %d features"
          % (args.out, len(y_train), np.bincount(y_train).tolist(), len(y_test), np.bincount(y_test).tolist(), x.shape[1]))

    for name, (train, test) in {"raw": (x_train, x_test),
                                "standardized": (scaler.transform(x_train), scaler.transform(x_test))}.items():
        model = MLPClassifier(hidden_layer_sizes=(64, 64), batch_size=32, max_iter=200, random_state=SEED)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(train, y_train)
        print("scikit-learn MLPClassifier, %s features: test accuracy %.4f (%d epochs)"
              % (name, model.score(test, y_test), model.n_iter_))


if __name__ == "__main__":
    main()
