#!/usr/bin/env python3
"""Independent float64 reference for SwiftMLP's network, and the fixtures made from it.

What
----
This script implements, from scratch in numpy (float64), the mathematics of
docs/DESIGN.md ("The math it implements"): the dense layer z = W a + b with W stored
[out, in], the Maxout layer (weights [out*k, in], rows unit-major: row u*k + j is
piece j of unit u), the activations the command line names, the three losses
(quadratic, cross-entropy with softmax output, binary cross-entropy with sigmoid
output), backpropagation in the batched four-equation form, and plain mini-batch SGD
in file order.  For each test case it writes one JSON file, network-<case>.json, next
to this script, holding the architecture, data, initial weights, and the reference
results (forward outputs, loss, gradients of the mean loss over all samples, weights
and loss after a few epochs of SGD).  The schema is described in README.md.

Why
---
The Swift network computes in Float32 through a GEMM backend.  To test it we need
numbers produced by a different implementation, in higher precision, that was itself
checked.  Every case here is checked inside this script by a central finite-difference
gradient check in float64 before its file is written; if any check fails the script
raises and writes nothing further.

Usage
-----
    python3 generate_fixtures.py          # from this folder; needs numpy only

The output is deterministic: every case draws its data and weights from its own
numpy Generator seeded with a fixed number and the case name, so rerunning reproduces the files byte for
byte (for a given numpy version; PCG64 and the normal sampler have been stable since
numpy 1.17).
"""

import json
import os
import sys
import zlib

import numpy as np

BASE_SEED = 20261130
FD_STEP = 1e-6          # central-difference step
FD_TOLERANCE = 1e-6     # maximum relative error accepted
KINK_MARGIN = 1e-4      # pre-activations must stay this far from non-smooth points

LEAKY_SLOPE = 0.1
ELU_ALPHA = 1.0


# ---------------------------------------------------------------------------
# Activations: value g(z) and derivative g'(z), elementwise on a [batch, units] array.
# ---------------------------------------------------------------------------

def sigmoid(z):
    # 1 / (1 + exp(-z)) written so neither branch overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def softplus(z):
    # log(1 + exp(z)), stable for large |z|.
    return np.logaddexp(0.0, z)


def act_value(name, z):
    if name == "identity":
        return z.copy()
    if name == "step":
        return np.where(z >= 0.0, 1.0, 0.0)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0.0, z, 0.0)
    if name == "leaky-relu":
        return np.where(z > 0.0, z, LEAKY_SLOPE * z)
    if name == "elu":
        return np.where(z > 0.0, z, ELU_ALPHA * (np.exp(np.minimum(z, 0.0)) - 1.0))
    if name == "relu6":
        return np.minimum(np.maximum(z, 0.0), 6.0)
    if name == "swish":
        return z * sigmoid(z)
    if name == "mish":
        return z * np.tanh(softplus(z))
    if name == "softmax":
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError("unknown activation " + name)


def act_derivative(name, z):
    if name == "identity":
        return np.ones_like(z)
    if name == "step":
        return np.zeros_like(z)
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        t = np.tanh(z)
        return 1.0 - t * t
    if name == "relu":
        return np.where(z > 0.0, 1.0, 0.0)
    if name == "leaky-relu":
        return np.where(z > 0.0, 1.0, LEAKY_SLOPE)
    if name == "elu":
        return np.where(z > 0.0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0)))
    if name == "relu6":
        return np.where((z > 0.0) & (z < 6.0), 1.0, 0.0)
    if name == "swish":
        s = sigmoid(z)
        return s + z * s * (1.0 - s)
    if name == "mish":
        t = np.tanh(softplus(z))
        return t + z * (1.0 - t * t) * sigmoid(z)
    raise ValueError("no elementwise derivative for activation " + name)


# Points where an activation is not differentiable; finite differences are only
# meaningful if no pre-activation lies close to one of them.
KINKS = {"step": [0.0], "relu": [0.0], "leaky-relu": [0.0], "elu": [0.0],
         "relu6": [0.0, 6.0]}


# ---------------------------------------------------------------------------
# Layers.  Every layer has W [rows, in] and b [rows]; for dense rows = out, for
# maxout rows = out * pieces.
# ---------------------------------------------------------------------------

def layer_forward(spec, W, b, a_prev):
    """Returns (cache, a).  a_prev is [batch, in]."""
    z = a_prev @ W.T + b            # [batch, rows]: z = W a + b for every sample
    if spec["kind"] == "dense":
        return {"z": z}, act_value(spec["activation"], z)
    # Maxout: reshape to [batch, out, k]; unit u takes the max over its k pieces.
    n = z.shape[0]
    pieces = z.reshape(n, spec["outputSize"], spec["pieces"])
    winner = np.argmax(pieces, axis=2)     # argmax returns the first (lowest j) on ties
    a = np.take_along_axis(pieces, winner[:, :, None], axis=2)[:, :, 0]
    return {"z": z, "winner": winner}, a


def delta_from_output_gradient(spec, cache, grad_a):
    """Given dC/dA of a layer's output, return dC/dZ (the layer's Delta)."""
    if spec["kind"] == "dense":
        return grad_a * act_derivative(spec["activation"], cache["z"])
    # Maxout: the gradient goes only to the winning piece of each unit.
    n = grad_a.shape[0]
    out, k = spec["outputSize"], spec["pieces"]
    delta = np.zeros((n, out, k))
    np.put_along_axis(delta, cache["winner"][:, :, None], grad_a[:, :, None], axis=2)
    return delta.reshape(n, out * k)


# ---------------------------------------------------------------------------
# Network: forward, loss, backprop.
# ---------------------------------------------------------------------------

def forward(layers, weights, biases, x):
    caches, acts = [], [x]
    a = x
    for spec, W, b in zip(layers, weights, biases):
        cache, a = layer_forward(spec, W, b, a)
        caches.append(cache)
        acts.append(a)
    return caches, acts


def loss_value(loss, out_spec, out_z, a, y):
    """Mean over the batch of the per-sample loss."""
    n = y.shape[0]
    if loss == "quadratic":
        return 0.5 * np.sum((y - a) ** 2) / n
    if loss == "cross-entropy":
        # log softmax computed from z directly (the same value as log a, without log(0)).
        shifted = out_z - out_z.max(axis=1, keepdims=True)
        log_a = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -np.sum(y * log_a) / n
    if loss == "binary-cross-entropy":
        log_a = -softplus(-out_z)          # log sigmoid(z)
        log_one_minus_a = -softplus(out_z)  # log (1 - sigmoid(z))
        return -np.sum(y * log_a + (1.0 - y) * log_one_minus_a) / n
    raise ValueError("unknown loss " + loss)


def check_loss_output_pair(loss, out_spec):
    if out_spec["kind"] != "dense":
        if loss != "quadratic":
            raise ValueError("a maxout output layer is only supported with the quadratic loss")
        return
    act = out_spec["activation"]
    if loss == "cross-entropy" and act != "softmax":
        raise ValueError("cross-entropy needs a softmax output")
    if loss == "binary-cross-entropy" and act != "sigmoid":
        raise ValueError("binary-cross-entropy needs a sigmoid output")
    if loss == "quadratic" and act == "softmax":
        raise ValueError("quadratic loss with softmax output is not part of the reference")


def mean_loss(case, weights, biases, x, y):
    layers = case["layers"]
    caches, acts = forward(layers, weights, biases, x)
    return loss_value(case["loss"], layers[-1], caches[-1]["z"], acts[-1], y)


def gradients(case, weights, biases, x, y):
    """Gradients of the mean loss over the rows of x, by the four equations."""
    layers, loss = case["layers"], case["loss"]
    n = x.shape[0]
    caches, acts = forward(layers, weights, biases, x)
    a_out = acts[-1]

    # Equation 1: Delta^L.  Per-sample deltas here; the 1/n is applied in eqs. 3 and 4.
    if loss in ("cross-entropy", "binary-cross-entropy"):
        delta = a_out - y                    # fused softmax/CE and sigmoid/BCE
    else:
        delta = delta_from_output_gradient(layers[-1], caches[-1], a_out - y)

    grad_w = [None] * len(layers)
    grad_b = [None] * len(layers)
    for l in range(len(layers) - 1, -1, -1):
        # Equations 3 and 4.
        grad_w[l] = delta.T @ acts[l] / n
        grad_b[l] = delta.sum(axis=0) / n
        if l > 0:
            # Equation 2: Delta^l = (Delta^{l+1} W^{l+1}) (.) g'(Z^l)
            grad_a_prev = delta @ weights[l]
            delta = delta_from_output_gradient(layers[l - 1], caches[l - 1], grad_a_prev)
    return grad_w, grad_b


def sgd_train(case, weights, biases, x, y, before_step=None):
    """Plain SGD, mini-batches in file order, last smaller batch kept.

    before_step(weights, biases, xb), if given, is called before every update.
    """
    weights = [W.copy() for W in weights]
    biases = [b.copy() for b in biases]
    eta, bs = case["learningRate"], case["batchSize"]
    for _epoch in range(case["epochs"]):
        for start in range(0, x.shape[0], bs):
            xb, yb = x[start:start + bs], y[start:start + bs]
            if before_step is not None:
                before_step(weights, biases, xb)
            gw, gb = gradients(case, weights, biases, xb, yb)
            for l in range(len(weights)):
                weights[l] = weights[l] - eta * gw[l]
                biases[l] = biases[l] - eta * gb[l]
    return weights, biases


# ---------------------------------------------------------------------------
# Verification.
# ---------------------------------------------------------------------------

def finite_difference(case, weights, biases, x, y):
    """Central differences of the mean loss w.r.t. every weight and bias."""
    def numeric(params, l):
        g = np.zeros_like(params[l])
        flat = params[l].reshape(-1)       # a view: edits change params[l]
        gflat = g.reshape(-1)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + FD_STEP
            plus = mean_loss(case, weights, biases, x, y)
            flat[i] = keep - FD_STEP
            minus = mean_loss(case, weights, biases, x, y)
            flat[i] = keep
            gflat[i] = (plus - minus) / (2.0 * FD_STEP)
        return g

    weights = [W.copy() for W in weights]
    biases = [b.copy() for b in biases]
    fw = [numeric(weights, l) for l in range(len(weights))]
    fb = [numeric(biases, l) for l in range(len(biases))]
    return fw, fb


def relative_error(analytic, numeric):
    """||a - n|| / max(||a||, ||n||), per tensor; 0 if both are exactly 0."""
    scale = max(np.linalg.norm(analytic), np.linalg.norm(numeric))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / scale)


def check_away_from_kinks(case, weights, biases, x):
    """Finite differences across a kink would be meaningless: make sure none is near."""
    caches, _ = forward(case["layers"], weights, biases, x)
    for l, (spec, cache) in enumerate(zip(case["layers"], caches)):
        if spec["kind"] == "maxout":
            n = x.shape[0]
            pieces = np.sort(cache["z"].reshape(n, spec["outputSize"], spec["pieces"]), axis=2)
            gap = float((pieces[:, :, -1] - pieces[:, :, -2]).min())
            if gap < KINK_MARGIN:
                raise AssertionError("%s: layer %d maxout winner and runner-up only %g apart"
                                     % (case["case"], l, gap))
            continue
        for kink in KINKS.get(spec["activation"], []):
            distance = float(np.abs(cache["z"] - kink).min())
            if distance < KINK_MARGIN:
                raise AssertionError("%s: layer %d pre-activation %g from kink %g"
                                     % (case["case"], l, distance, kink))


def verify(case, weights, biases, x, y, grad_w, grad_b):
    """Gradient check; returns the worst relative error.  Raises on failure."""
    check_away_from_kinks(case, weights, biases, x)
    fw, fb = finite_difference(case, weights, biases, x, y)
    worst = 0.0
    results = []
    for l, spec in enumerate(case["layers"]):
        for label, a, f in (("W", grad_w[l], fw[l]), ("b", grad_b[l], fb[l])):
            err = relative_error(a, f)
            results.append((l, label, err))
            worst = max(worst, err)
    # The step function is piecewise constant: at and below a hidden step layer the
    # true gradient is exactly zero, and both estimates must say so.
    step_layers = [l for l, s in enumerate(case["layers"][:-1]) if s.get("activation") == "step"]
    if step_layers:
        top = max(step_layers)
        for l in range(top + 1):
            for a, f in ((grad_w[l], fw[l]), (grad_b[l], fb[l])):
                if np.any(a != 0.0) or np.max(np.abs(f)) > 1e-12:
                    raise AssertionError("%s: layer %d gradient should be zero below a step layer"
                                         % (case["case"], l))
        # Above the step layer the gradient is ordinary and must be non-trivial.
        if not any(np.any(grad_w[l] != 0.0) for l in range(top + 1, len(case["layers"]))):
            raise AssertionError("%s: no non-zero gradient at all" % case["case"])
    for l, label, err in results:
        if err > FD_TOLERANCE:
            raise AssertionError("%s: gradient check failed for layer %d %s: relative error %g"
                                 % (case["case"], l, label, err))
    return worst, results


def check_definitions():
    """Spot-check activation values and the conventions at non-smooth points against
    scalar definitions from the math module.  The gradient check only shows that
    backprop matches the forward pass; this shows the forward pass is the intended one.
    """
    import math
    z = np.array([[-7.0, -2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0, 6.0, 8.0]])

    def sig(v):
        return 1.0 / (1.0 + math.exp(-v))

    def sp(v):
        return math.log1p(math.exp(v))

    scalar = {
        "identity": (lambda v: v, lambda v: 1.0),
        "step": (lambda v: 1.0 if v >= 0 else 0.0, lambda v: 0.0),
        "sigmoid": (sig, lambda v: sig(v) * (1 - sig(v))),
        "tanh": (math.tanh, lambda v: 1 - math.tanh(v) ** 2),
        "relu": (lambda v: max(0.0, v), lambda v: 1.0 if v > 0 else 0.0),
        "leaky-relu": (lambda v: max(0.1 * v, v), lambda v: 1.0 if v > 0 else 0.1),
        "elu": (lambda v: v if v > 0 else math.exp(v) - 1,
                lambda v: 1.0 if v > 0 else math.exp(v)),
        "relu6": (lambda v: min(max(0.0, v), 6.0), lambda v: 1.0 if 0 < v < 6 else 0.0),
        "swish": (lambda v: v * sig(v), None),
        "mish": (lambda v: v * math.tanh(sp(v)), None),
    }
    for name, (f, df) in scalar.items():
        got, dgot = act_value(name, z)[0], act_derivative(name, z)[0]
        for i, v in enumerate(z[0]):
            assert abs(got[i] - f(v)) <= 1e-14 * max(1.0, abs(f(v))), (name, v)
            if df is not None:
                assert abs(dgot[i] - df(v)) <= 1e-14, (name, v)
            elif v != 0.0:   # smooth: compare with a central difference of the scalar
                h = 1e-6
                num = (f(v + h) - f(v - h)) / (2 * h)
                assert abs(dgot[i] - num) <= 1e-8, (name, v)
    # Conventions at the kinks, stated explicitly.
    at = lambda name, v: float(act_derivative(name, np.array([[v]]))[0, 0])
    assert act_value("step", np.array([[0.0]]))[0, 0] == 1.0
    assert at("relu", 0.0) == 0.0 and at("leaky-relu", 0.0) == 0.1
    assert at("relu6", 0.0) == 0.0 and at("relu6", 6.0) == 0.0 and at("elu", 0.0) == 1.0
    # Softmax: rows sum to 1, shift-invariant, no overflow for large logits.
    big = np.array([[1000.0, 1001.0, 999.0], [0.1, -0.2, 0.3]])
    sm = act_value("softmax", big)
    assert np.allclose(sm.sum(axis=1), 1.0, atol=1e-15)
    e = np.exp([0.0, 1.0, -1.0])
    assert np.allclose(sm[0], e / e.sum(), atol=1e-15)
    # Maxout: row layout unit-major, and a tie goes to the lowest piece.
    spec = maxout(1, 2, 3)
    W = np.array([[1.0], [2.0], [2.0], [0.0], [-1.0], [5.0]])   # unit 0: pieces 1,2,2
    b = np.zeros(6)
    cache, a = layer_forward(spec, W, b, np.array([[1.0]]))
    assert a.tolist() == [[2.0, 5.0]]
    assert cache["winner"].tolist() == [[1, 2]]                 # tie 2,2 -> piece 1
    d = delta_from_output_gradient(spec, cache, np.array([[3.0, 4.0]]))
    assert d.tolist() == [[0.0, 3.0, 0.0, 0.0, 0.0, 4.0]]


def verify_sgd_step(case, weights, biases, x, y, grad_w, grad_b):
    """One SGD step on the whole set as a single batch must equal W - eta * gradient."""
    one = dict(case, batchSize=x.shape[0], epochs=1)
    tw, tb = sgd_train(one, weights, biases, x, y)
    eta = case["learningRate"]
    for l in range(len(weights)):
        assert np.allclose(tw[l], weights[l] - eta * grad_w[l], rtol=0, atol=1e-15)
        assert np.allclose(tb[l], biases[l] - eta * grad_b[l], rtol=0, atol=1e-15)


# ---------------------------------------------------------------------------
# Cases.
# ---------------------------------------------------------------------------

N_SAMPLES = 10
N_FEATURES = 4

HIDDEN_ACTIVATIONS = ["identity", "step", "sigmoid", "tanh", "relu", "leaky-relu",
                      "elu", "relu6", "swish", "mish"]


def dense(n_in, n_out, activation):
    return {"kind": "dense", "inputSize": n_in, "outputSize": n_out, "activation": activation}


def maxout(n_in, n_out, pieces):
    return {"kind": "maxout", "inputSize": n_in, "outputSize": n_out, "pieces": pieces}


def case_list():
    cases = []
    for act in HIDDEN_ACTIVATIONS:
        cases.append({
            "case": act,
            "description": "4-5-3 network, hidden %s, softmax output, cross-entropy loss, "
                           "one-hot targets; plain SGD in file order." % act,
            "layers": [dense(4, 5, act), dense(5, 3, "softmax")],
            "loss": "cross-entropy", "targetKind": "one-hot",
        })
    # Extra case: with inputs ~ N(0,1) and weights ~ N(0, 0.5^2) a hidden pre-activation
    # essentially never exceeds 6, so the "relu6" case cannot tell relu6 from relu.
    # Here the inputs are scaled by 4 so some hidden units sit above the cap.
    cases.append({
        "case": "relu6-saturated",
        "description": "4-5-3 network, hidden relu6, softmax output, cross-entropy loss, "
                       "one-hot targets; inputs ~ 4*N(0,1) so that some hidden "
                       "pre-activations exceed 6 (the cap is exercised).",
        "layers": [dense(4, 5, "relu6"), dense(5, 3, "softmax")],
        "loss": "cross-entropy", "targetKind": "one-hot", "inputScale": 4.0,
        "mustSaturate": True,
    })
    cases.append({
        "case": "sigmoid-quadratic",
        "description": "4-5-3 network, hidden tanh, sigmoid output, quadratic loss "
                       "(1/n) sum 0.5*||y-a||^2, one-hot targets.",
        "layers": [dense(4, 5, "tanh"), dense(5, 3, "sigmoid")],
        "loss": "quadratic", "targetKind": "one-hot",
    })
    cases.append({
        "case": "identity-quadratic",
        "description": "Regression: 4-6-2 network, hidden relu, identity output, quadratic "
                       "loss, real-valued targets ~ N(0,1).",
        "layers": [dense(4, 6, "relu"), dense(6, 2, "identity")],
        "loss": "quadratic", "targetKind": "real",
    })
    cases.append({
        "case": "binary",
        "description": "4-5-1 network, hidden tanh, sigmoid output, binary cross-entropy, "
                       "0/1 targets.",
        "layers": [dense(4, 5, "tanh"), dense(5, 1, "sigmoid")],
        "loss": "binary-cross-entropy", "targetKind": "binary",
    })
    cases.append({
        "case": "deep",
        "description": "4-6-5-3 network, hidden relu then tanh, softmax output, "
                       "cross-entropy, one-hot targets, 3 epochs.",
        "layers": [dense(4, 6, "relu"), dense(6, 5, "tanh"), dense(5, 3, "softmax")],
        "loss": "cross-entropy", "targetKind": "one-hot", "epochs": 3,
    })
    cases.append({
        "case": "maxout",
        "description": "Maxout 4->5 with 3 pieces (weights [15,4], row u*3+j is piece j of "
                       "unit u; ties go to the lowest j), then dense 5->3 softmax, "
                       "cross-entropy, one-hot targets.",
        "layers": [maxout(4, 5, 3), dense(5, 3, "softmax")],
        "loss": "cross-entropy", "targetKind": "one-hot",
    })
    for c in cases:
        c.setdefault("epochs", 2)
        c["learningRate"] = 0.1
        c["batchSize"] = 4
    return cases


def make_data(case, rng):
    x = case.get("inputScale", 1.0) * rng.normal(0.0, 1.0, size=(N_SAMPLES, N_FEATURES))
    n_out = case["layers"][-1]["outputSize"]
    kind = case["targetKind"]
    if kind == "one-hot":
        labels = rng.integers(0, n_out, size=N_SAMPLES)
        y = np.zeros((N_SAMPLES, n_out))
        y[np.arange(N_SAMPLES), labels] = 1.0
    elif kind == "binary":
        y = rng.integers(0, 2, size=(N_SAMPLES, n_out)).astype(np.float64)
    else:
        y = rng.normal(0.0, 1.0, size=(N_SAMPLES, n_out))
    weights, biases = [], []
    for spec in case["layers"]:
        rows = spec["outputSize"] * spec.get("pieces", 1)
        weights.append(rng.normal(0.0, 0.5, size=(rows, spec["inputSize"])))
        biases.append(rng.normal(0.0, 0.1, size=rows))
    return x, y, weights, biases


# ---------------------------------------------------------------------------
# JSON output: full float64 precision (Python's repr round-trips exactly),
# one matrix row per line.
# ---------------------------------------------------------------------------

def to_json_text(value, indent=0):
    pad = "  " * indent
    if isinstance(value, dict):
        items = ["%s  %s: %s" % (pad, json.dumps(k), to_json_text(v, indent + 1))
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        items = [pad + "  " + to_json_text(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False)


def tolist(arrays):
    return [np.asarray(a, dtype=np.float64).tolist() for a in arrays]


def build_case(case):
    # Seeded by the case name, so adding or reordering cases changes no other file.
    rng = np.random.default_rng([BASE_SEED, zlib.crc32(case["case"].encode("utf-8"))])
    x, y, weights, biases = make_data(case, rng)
    layers = case["layers"]
    check_loss_output_pair(case["loss"], layers[-1])

    caches, acts = forward(layers, weights, biases, x)
    if case.get("mustSaturate"):
        z = caches[0]["z"]
        assert np.any(z > 6.0) and np.any(z < 0.0) and np.any((z > 0) & (z < 6)), \
            "%s: relu6 regions not all exercised" % case["case"]
    loss0 = mean_loss(case, weights, biases, x, y)
    grad_w, grad_b = gradients(case, weights, biases, x, y)
    worst, results = verify(case, weights, biases, x, y, grad_w, grad_b)
    verify_sgd_step(case, weights, biases, x, y, grad_w, grad_b)

    # Every pre-activation met during training (and after it) also stays clear of the
    # kinks and maxout ties, so a Float32 implementation takes the same branches.
    trained_w, trained_b = sgd_train(
        case, weights, biases, x, y,
        before_step=lambda w, b, xb: check_away_from_kinks(case, w, b, xb))
    check_away_from_kinks(case, trained_w, trained_b, x)
    trained_loss = mean_loss(case, trained_w, trained_b, x, y)
    for arr in [acts[-1], *grad_w, *grad_b, *trained_w, *trained_b]:
        assert np.all(np.isfinite(arr))
    assert np.isfinite(loss0) and np.isfinite(trained_loss)

    doc = {
        "case": case["case"],
        "description": case["description"],
        "layers": layers,
        "loss": case["loss"],
        "learningRate": case["learningRate"],
        "batchSize": case["batchSize"],
        "epochs": case["epochs"],
        "inputs": x.tolist(),
        "targets": y.tolist(),
        "initialWeights": tolist(weights),
        "initialBiases": tolist(biases),
        "forwardOutputs": acts[-1].tolist(),
        "loss0": float(loss0),
        "gradientWeights": tolist(grad_w),
        "gradientBiases": tolist(grad_b),
        "trainedWeights": tolist(trained_w),
        "trainedBiases": tolist(trained_b),
        "trainedLoss": float(trained_loss),
    }
    return doc, worst, results, loss0, trained_loss


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    print("numpy %s; finite-difference step %g, tolerance %g" % (np.__version__, FD_STEP,
                                                                 FD_TOLERANCE))
    check_definitions()
    print("activation, softmax and maxout definitions checked")
    print("%-20s %12s %12s %14s" % ("case", "loss0", "trainedLoss", "worst FD rel"))
    for case in case_list():
        doc, worst, _results, loss0, trained_loss = build_case(case)
        path = os.path.join(here, "network-%s.json" % case["case"])
        with open(path, "w") as f:
            f.write(to_json_text(doc) + "\n")
        # Round-trip: what was written reads back bit for bit.
        with open(path) as f:
            back = json.load(f)
        assert back == json.loads(json.dumps(doc)), path
        print("%-20s %12.6f %12.6f %14.3e" % (case["case"], loss0, trained_loss, worst))
    print("all gradient checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
