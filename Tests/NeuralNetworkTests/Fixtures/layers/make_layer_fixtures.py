#!/usr/bin/env python3
"""PyTorch reference for SwiftMLP's Dropout, BatchNorm and LayerNorm layers, and the fixtures made from it.

What
----
For each case this script builds a small network as a `torch.nn.Sequential` of Linear,
BatchNorm1d, LayerNorm, ReLU / Tanh / Sigmoid and Dropout modules (inside a module whose
attribute is `layers`, so that `state_dict()` names the tensors `layers.{i}.weight`,
`layers.{i}.running_mean`, ... as SwiftMLP's model files do), loads given initial tensors
into it with `load_state_dict(strict=True)`, and trains it for a few SGD or Adam steps on
mini-batches taken in file order, in float64. It writes `layers-<case>.json` next to itself:
the modules and their settings, the data, the optimizer, the initial tensors, per step the
batch, the dropout masks, the outputs (training mode), the loss, the gradients and the tensors
after the update, and after training the outputs in inference mode on a held-out batch.
README.md describes the layout and every convention.

Dropout with p > 0 takes its mask from the fixture (a 0/1 matrix per step, drawn here from
a seeded numpy stream) and computes inverted dropout, x * mask / (1 - p), in training and
the identity in inference: the same thing as `torch.nn.Dropout` with that mask (checked
below). Dropout with p = 0 is `torch.nn.Dropout(0.0)` itself.

Why float64
-----------
SwiftMLP computes in Float32. The reference is computed in float64 so that its own rounding
(about 1e-16) is far below the 1e-4 relative tolerance of the Swift tests: any difference
the tests see is SwiftMLP's. To show that the cases are well conditioned (that a correct
Float32 implementation can meet 1e-4), the script trains every case a second time in
float32 PyTorch and requires it to agree with float64 within 1e-5: outputs, losses,
tensors after every step and held-out outputs max-norm relative per tensor (the metric of
the Swift tests); gradients relative to the largest gradient of their step (a gradient tensor
can be small by cancellation). Both worst figures are written into the fixture.

Checks before a case is written (the script stops with an error if one fails)
---------------------------------------------------------------------------
- Every step's gradients of every trainable tensor equal central finite differences of the
  batch loss in float64 (step 1e-6, relative error below 1e-6), with the dropout masks held.
- The loss formulas equal PyTorch's own losses rescaled to SwiftMLP's reduction.
- Every update of SGD / Adam equals the rule written out by hand in numpy.
- BatchNorm's batch normalisation, running-statistics update (unbiased variance, momentum
  0.1) and inference, LayerNorm, and inverted dropout equal their formulas written out in
  numpy; torch.nn.Dropout(p) in training is x * mask / (1 - p) for its own mask.
- Every input of a ReLU met in training or inference is at least 1e-4 from 0, so a Float32
  implementation takes the same branches.
- Adam: every gradient element's sqrt(v^) (root mean square of its gradients so far) is at
  least 1e-4 of the step's largest gradient, unless exactly 0 (see adam_margin).
- The float32 rerun agrees within 1e-5 (see above).
- Three float64 reruns with normal noise of 1e-7 times the step's largest gradient added to
  every gradient element that is not exactly 0 (another summation order's rounding) agree with
  the clean run within 1e-5 (outputs, losses, tensors, held-out outputs).
A draw of data and initial tensors that fails one of the last four is redrawn with the next
attempt number; the file records the attempt used and why the earlier ones were rejected.

Usage
-----
    /path/to/python make_layer_fixtures.py     # needs torch and numpy; any folder

Deterministic: every case draws its data, initial tensors and masks from its own numpy
Generator seeded with a fixed number, the case name and the attempt number.
"""

import copy
import json
import os
import sys
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.dont_write_bytecode = True     # no __pycache__ inside the test bundle's Fixtures folder
from generate_fixtures import to_json_text  # noqa: E402  (the numpy fixtures' JSON writer)

BASE_SEED = 20261202
FD_STEP = 1e-6
FD_TOLERANCE = 1e-6
KINK_MARGIN = 1e-4
FLOAT32_TOLERANCE = 1e-5
GRADIENT_NOISE = 1e-7     # rounding noise injected into the gradients, times the step's largest
ADAM_MARGIN = 1e-4         # Adam: sqrt(v^) of every gradient element against the step's largest gradient
TRAINING_SAMPLES = 11      # batch 4: batches of 4, 4 and 3 rows (the last smaller one is used)
HELD_OUT_SAMPLES = 5
BATCH_SIZE = 4
EPOCHS = 2
BATCHNORM_EPS = 1e-5
BATCHNORM_MOMENTUM = 0.1
LAYERNORM_EPS = 1e-5
SGD_LEARNING_RATE = 0.1
ADAM = {"learningRate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0.0}

ACTIVATION_MODULES = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}


# ---------------------------------------------------------------------------
# Module specs (what the JSON's "modules" list holds) and the network built from them.
# ---------------------------------------------------------------------------

def linear(n_in, n_out):
    return {"kind": "linear", "inputSize": n_in, "outputSize": n_out}


def batchnorm(features):
    return {"kind": "batchnorm", "features": features, "eps": BATCHNORM_EPS, "momentum": BATCHNORM_MOMENTUM}


def layernorm(features):
    return {"kind": "layernorm", "features": features, "eps": LAYERNORM_EPS}


def activation(name):
    return {"kind": name}


def dropout(p, masked):
    return {"kind": "dropout", "p": p, "masked": masked}


class MaskedDropout(torch.nn.Module):
    """Inverted dropout with a mask given from outside: x * mask / (1 - p) in training, x in
    inference. `mask` is set before every training forward pass."""

    def __init__(self, p):
        super().__init__()
        self.p = p
        self.mask = None

    def forward(self, x):
        if not self.training:
            return x
        return x * self.mask / (1.0 - self.p)


class Mirror(torch.nn.Module):
    """The network as `layers`, an nn.Sequential, so its state dict names are `layers.{i}.*`."""

    def __init__(self, modules):
        super().__init__()
        self.layers = torch.nn.Sequential(*modules)

    def forward(self, x):
        return self.layers(x)


def build(specs, dtype):
    modules = []
    for spec in specs:
        kind = spec["kind"]
        if kind == "linear":
            modules.append(torch.nn.Linear(spec["inputSize"], spec["outputSize"], dtype=dtype))
        elif kind == "batchnorm":
            modules.append(torch.nn.BatchNorm1d(spec["features"], eps=spec["eps"], momentum=spec["momentum"],
                                                dtype=dtype))
        elif kind == "layernorm":
            modules.append(torch.nn.LayerNorm(spec["features"], eps=spec["eps"], dtype=dtype))
        elif kind in ACTIVATION_MODULES:
            modules.append(ACTIVATION_MODULES[kind]())
        elif kind == "dropout":
            modules.append(MaskedDropout(spec["p"]) if spec["masked"] else torch.nn.Dropout(spec["p"]))
        else:
            raise ValueError("unknown module kind " + kind)
    return Mirror(modules)


def feature_sizes(specs, input_size):
    """The width of the data entering each module, and leaving the last one."""
    sizes = [input_size]
    for spec in specs:
        sizes.append(spec["outputSize"] if spec["kind"] == "linear" else sizes[-1])
    return sizes


# ---------------------------------------------------------------------------
# Output activations and losses, with SwiftMLP's reduction: the mean over the batch of a
# per-sample sum over output units.
# ---------------------------------------------------------------------------

def output_activation(name, z):
    if name == "softmax":
        return torch.softmax(z, dim=1)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "identity":
        return z
    raise ValueError("unknown output " + name)


def loss_value(loss, z, y):
    """C from the last module's output z (the logits), as SwiftMLP's Loss documents it."""
    n = z.shape[0]
    if loss == "cross-entropy":                  # -(1/n) sum y log softmax(z)
        return -(y * torch.log_softmax(z, dim=1)).sum() / n
    if loss == "binary-cross-entropy":           # -(1/n) sum [y log s(z) + (1-y) log(1-s(z))]
        return (torch.nn.functional.softplus(z) - y * z).sum() / n
    if loss == "quadratic":                      # (1/n) sum 0.5 ||y - z||^2 (identity output)
        return 0.5 * ((y - z) ** 2).sum() / n
    raise ValueError("unknown loss " + loss)


OUTPUT_OF_LOSS = {"cross-entropy": "softmax", "binary-cross-entropy": "sigmoid", "quadratic": "identity"}


def check_loss_formulas():
    """Our explicit losses against PyTorch's own, rescaled to SwiftMLP's reduction."""
    rng = np.random.default_rng(7)
    z = torch.tensor(rng.normal(size=(5, 3)), dtype=torch.float64)
    onehot = torch.zeros(5, 3, dtype=torch.float64)
    onehot[torch.arange(5), torch.tensor([0, 2, 1, 1, 0])] = 1.0
    binary = torch.tensor(rng.integers(0, 2, size=(5, 3)), dtype=torch.float64)
    real = torch.tensor(rng.normal(size=(5, 3)), dtype=torch.float64)
    F = torch.nn.functional
    pairs = [
        (loss_value("cross-entropy", z, onehot), F.cross_entropy(z, onehot)),             # mean over rows
        (loss_value("binary-cross-entropy", z, binary),
         F.binary_cross_entropy_with_logits(z, binary, reduction="sum") / 5),             # torch's mean divides by 15
        (loss_value("quadratic", z, real), F.mse_loss(z, real, reduction="sum") / 2 / 5),  # torch's mean: no 1/2, /15
    ]
    for ours, theirs in pairs:
        assert abs(float(ours) - float(theirs)) <= 1e-14 * abs(float(theirs)), (float(ours), float(theirs))


# ---------------------------------------------------------------------------
# Independent formulas for the layers and the optimizers (numpy, float64), compared with
# PyTorch on the cases' own data.
# ---------------------------------------------------------------------------

def check_layer_formulas():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(6, 4))
    gamma, beta = rng.normal(1.0, 0.1, 4), rng.normal(0.0, 0.1, 4)
    mean0, var0 = rng.normal(0.0, 0.2, 4), rng.uniform(0.5, 1.5, 4)

    bn = torch.nn.BatchNorm1d(4, eps=BATCHNORM_EPS, momentum=BATCHNORM_MOMENTUM, dtype=torch.float64)
    bn.load_state_dict({"weight": torch.tensor(gamma), "bias": torch.tensor(beta),
                        "running_mean": torch.tensor(mean0), "running_var": torch.tensor(var0),
                        "num_batches_tracked": torch.tensor(3)}, strict=True)
    bn.train()
    got = bn(torch.tensor(x)).detach().numpy()
    mu, var = x.mean(axis=0), x.var(axis=0)          # biased variance normalises
    assert np.allclose(got, gamma * (x - mu) / np.sqrt(var + BATCHNORM_EPS) + beta, rtol=0, atol=1e-13)
    m = BATCHNORM_MOMENTUM
    assert np.allclose(bn.running_mean.numpy(), (1 - m) * mean0 + m * mu, rtol=0, atol=1e-15)
    unbiased = x.var(axis=0, ddof=1)                 # unbiased variance is tracked
    assert np.allclose(bn.running_var.numpy(), (1 - m) * var0 + m * unbiased, rtol=0, atol=1e-15)
    assert int(bn.num_batches_tracked) == 4
    bn.eval()
    got = bn(torch.tensor(x)).detach().numpy()
    rm, rv = bn.running_mean.numpy(), bn.running_var.numpy()
    assert np.allclose(got, gamma * (x - rm) / np.sqrt(rv + BATCHNORM_EPS) + beta, rtol=0, atol=1e-13)

    ln = torch.nn.LayerNorm(4, eps=LAYERNORM_EPS, dtype=torch.float64)
    ln.load_state_dict({"weight": torch.tensor(gamma), "bias": torch.tensor(beta)}, strict=True)
    got = ln(torch.tensor(x)).detach().numpy()
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    assert np.allclose(got, gamma * (x - mu) / np.sqrt(var + LAYERNORM_EPS) + beta, rtol=0, atol=1e-13)

    # torch.nn.Dropout is inverted dropout: its training output is x * mask / (1 - p).
    torch.manual_seed(3)
    for p in (0.2, 0.5):
        d = torch.nn.Dropout(p)
        d.train()
        xx = torch.tensor(rng.uniform(0.5, 1.5, size=(50, 20)))
        out = d(xx)
        mask = (out != 0).to(torch.float64)
        assert 0 < mask.sum() < mask.numel()
        assert torch.allclose(out, xx * mask / (1 - p), rtol=0, atol=1e-15)
        masked = MaskedDropout(p)
        masked.mask = mask
        assert torch.allclose(masked(xx), out, rtol=0, atol=1e-15)
        d.eval()
        masked.eval()
        assert torch.equal(d(xx), xx) and torch.equal(masked(xx), xx)
    assert torch.equal(torch.nn.Dropout(0.0).train()(torch.tensor(x)), torch.tensor(x))


def sgd_by_hand(w, g, eta):
    return w - eta * g


def adam_by_hand(w, g, m, v, t, h):
    """Kingma & Ba with epsilon added to sqrt(v^) (SwiftMLP's Adam.swift)."""
    m = h["beta1"] * m + (1 - h["beta1"]) * g
    v = h["beta2"] * v + (1 - h["beta2"]) * g * g
    m_hat, v_hat = m / (1 - h["beta1"] ** t), v / (1 - h["beta2"] ** t)
    return w - h["learningRate"] * m_hat / (np.sqrt(v_hat) + h["epsilon"]), m, v


# ---------------------------------------------------------------------------
# Cases.
# ---------------------------------------------------------------------------

def case_list():
    sgd = {"name": "sgd", "learningRate": SGD_LEARNING_RATE, "weightDecay": 0.0}
    adam = dict({"name": "adam"}, **ADAM)
    return [
        {"case": "batchnorm-sgd",
         "description": "Linear, BatchNorm1d, ReLU, Dropout(p=0), Linear: the block of PyTorch's usual "
                        "order (batch normalisation between the product and the activation); softmax "
                        "output, cross-entropy, one-hot targets, plain SGD.",
         "inputSize": 5,
         "modules": [linear(5, 6), batchnorm(6), activation("relu"), dropout(0.0, False), linear(6, 3)],
         "loss": "cross-entropy", "targets": "one-hot", "optimizer": sgd},
        {"case": "batchnorm-adam",
         "description": "Linear, Tanh, BatchNorm1d, Dropout(p=0.5) with a given mask, Linear, ReLU, Linear; "
                        "softmax output, cross-entropy, Adam; initial running statistics not 0 and 1.",
         "inputSize": 5,
         "modules": [linear(5, 6), activation("tanh"), batchnorm(6), dropout(0.5, True), linear(6, 4),
                     activation("relu"), linear(4, 3)],
         "loss": "cross-entropy", "targets": "one-hot", "optimizer": adam, "randomRunningStatistics": True},
        {"case": "batchnorm-binary-adam",
         "description": "Linear, ReLU, BatchNorm1d, Sigmoid, Linear; sigmoid output, binary cross-entropy "
                        "with 2 outputs, 0/1 targets, Adam.",
         "inputSize": 4,
         "modules": [linear(4, 6), activation("relu"), batchnorm(6), activation("sigmoid"), linear(6, 2)],
         "loss": "binary-cross-entropy", "targets": "binary", "optimizer": adam,
         "randomRunningStatistics": True},
        {"case": "layernorm-sgd",
         "description": "Linear, LayerNorm, ReLU, Dropout(p=0.25) with a given mask, Linear; sigmoid "
                        "output, binary cross-entropy with 3 outputs, 0/1 targets, plain SGD.",
         "inputSize": 5,
         "modules": [linear(5, 6), layernorm(6), activation("relu"), dropout(0.25, True), linear(6, 3)],
         "loss": "binary-cross-entropy", "targets": "binary", "optimizer": sgd},
        {"case": "layernorm-adam",
         "description": "Linear, LayerNorm, Tanh, Linear; identity output, quadratic loss, real targets, Adam.",
         "inputSize": 5,
         "modules": [linear(5, 6), layernorm(6), activation("tanh"), linear(6, 2)],
         "loss": "quadratic", "targets": "real", "optimizer": adam},
        {"case": "mixed-sgd",
         "description": "Linear, BatchNorm1d, ReLU, Dropout(p=0.5) with a given mask, Linear, LayerNorm, "
                        "Sigmoid, Dropout(p=0), Linear; identity output, quadratic loss, real targets, "
                        "plain SGD.",
         "inputSize": 5,
         "modules": [linear(5, 8), batchnorm(8), activation("relu"), dropout(0.5, True), linear(8, 6),
                     layernorm(6), activation("sigmoid"), dropout(0.0, False), linear(6, 2)],
         "loss": "quadratic", "targets": "real", "optimizer": sgd},
        {"case": "mixed-adam",
         "description": "Linear, ReLU, LayerNorm, Dropout(p=0.2) with a given mask, Linear, Tanh, "
                        "BatchNorm1d, Linear; softmax output, cross-entropy, one-hot targets, Adam.",
         "inputSize": 5,
         "modules": [linear(5, 8), activation("relu"), layernorm(8), dropout(0.2, True), linear(8, 6),
                     activation("tanh"), batchnorm(6), linear(6, 3)],
         "loss": "cross-entropy", "targets": "one-hot", "optimizer": adam},
    ]


def check_case(case):
    """Refuse a case whose conditioning the fixture cannot vouch for."""
    specs = case["modules"]
    assert specs[-1]["kind"] == "linear", "the last module is the output Linear"
    sizes = feature_sizes(specs, case["inputSize"])
    for i, spec in enumerate(specs):
        if spec["kind"] == "linear":
            assert spec["inputSize"] == sizes[i]
        elif spec["kind"] in ("batchnorm", "layernorm"):
            assert spec["features"] == sizes[i]
    if case["optimizer"]["name"] == "adam":
        # A Linear directly followed by BatchNorm has a bias gradient that is 0 in exact
        # arithmetic; Adam would turn Float32 rounding noise into steps of ~learningRate.
        for a, b in zip(specs, specs[1:]):
            assert not (a["kind"] == "linear" and b["kind"] == "batchnorm"), \
                "%s: Linear then BatchNorm under Adam is ill-conditioned" % case["case"]


def make_data(case, rng):
    n_in = case["inputSize"]
    specs = case["modules"]
    n_out = specs[-1]["outputSize"]
    total = TRAINING_SAMPLES + HELD_OUT_SAMPLES
    x = rng.normal(0.0, 1.0, size=(total, n_in))
    if case["targets"] == "one-hot":
        y = np.zeros((total, n_out))
        y[np.arange(total), rng.integers(0, n_out, size=total)] = 1.0
    elif case["targets"] == "binary":
        y = rng.integers(0, 2, size=(total, n_out)).astype(np.float64)
    else:
        y = rng.normal(0.0, 1.0, size=(total, n_out))
    initial = {}
    for i, spec in enumerate(specs):
        prefix = "layers.%d." % i
        if spec["kind"] == "linear":
            initial[prefix + "weight"] = rng.normal(0.0, 0.5, size=(spec["outputSize"], spec["inputSize"]))
            initial[prefix + "bias"] = rng.normal(0.0, 0.1, size=spec["outputSize"])
        elif spec["kind"] in ("batchnorm", "layernorm"):
            c = spec["features"]
            initial[prefix + "weight"] = rng.normal(1.0, 0.2, size=c)
            initial[prefix + "bias"] = rng.normal(0.0, 0.2, size=c)
            if spec["kind"] == "batchnorm":
                if case.get("randomRunningStatistics"):
                    initial[prefix + "running_mean"] = rng.normal(0.0, 0.3, size=c)
                    initial[prefix + "running_var"] = rng.uniform(0.5, 1.5, size=c)
                    initial[prefix + "num_batches_tracked"] = 3
                else:
                    initial[prefix + "running_mean"] = np.zeros(c)
                    initial[prefix + "running_var"] = np.ones(c)
                    initial[prefix + "num_batches_tracked"] = 0
    # One 0/1 mask per training step and masked dropout module, kept with probability 1 - p.
    sizes = feature_sizes(specs, n_in)
    masks = []
    for _epoch in range(EPOCHS):
        for start in range(0, TRAINING_SAMPLES, BATCH_SIZE):
            rows = min(BATCH_SIZE, TRAINING_SAMPLES - start)
            step = {}
            for i, spec in enumerate(specs):
                if spec["kind"] == "dropout" and spec["masked"]:
                    step["layers.%d" % i] = (rng.random((rows, sizes[i])) >= spec["p"]).astype(np.float64)
            masks.append(step)
    return x, y, initial, masks


# ---------------------------------------------------------------------------
# Training in PyTorch.
# ---------------------------------------------------------------------------

def state_as_torch(initial, dtype):
    return {name: (torch.tensor(value, dtype=torch.long) if name.endswith("num_batches_tracked")
                   else torch.tensor(value, dtype=dtype)) for name, value in initial.items()}


def state_as_numpy(model):
    return {name: (int(t) if name.endswith("num_batches_tracked") else t.detach().to(torch.float64).numpy().copy())
            for name, t in model.state_dict().items()}


def set_masks(model, masks, dtype):
    for i, module in enumerate(model.layers):
        if isinstance(module, MaskedDropout):
            module.mask = torch.tensor(masks["layers.%d" % i], dtype=dtype)


def relu_inputs(model, x):
    """The inputs of every ReLU module in a forward pass (the mode as set)."""
    seen = []
    hooks = [m.register_forward_hook(lambda mod, inp, out: seen.append(inp[0].detach().clone()))
             for m in model.layers if isinstance(m, torch.nn.ReLU)]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return seen


def make_optimizer(spec, params):
    if spec["name"] == "sgd":
        return torch.optim.SGD(params, lr=spec["learningRate"], momentum=0.0, weight_decay=0.0, foreach=False)
    return torch.optim.Adam(params, lr=spec["learningRate"], betas=(spec["beta1"], spec["beta2"]),
                            eps=spec["epsilon"], weight_decay=0.0, amsgrad=False, foreach=False)


def train(case, x, y, initial, masks, dtype, check=False, gradient_noise=None):
    """Trains in `dtype`; returns the record of every step and the held-out outputs.

    With `check`, also verifies every step's gradients by finite differences and its update
    by the rule written out by hand, and measures how close a ReLU input comes to 0.
    With `gradient_noise` = (generator, size), adds to every gradient before the update
    normal noise of standard deviation size times the step's largest gradient: rounding
    noise of another summation order, made visible."""
    specs, loss = case["modules"], case["loss"]
    output = OUTPUT_OF_LOSS[loss]
    model = build(specs, dtype)
    model.load_state_dict(state_as_torch(initial, dtype), strict=True)
    trainable = [(name, p) for name, p in model.named_parameters()]
    optimizer = make_optimizer(case["optimizer"], [p for _, p in trainable])
    xt, yt = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
    xtrain, ytrain = xt[:TRAINING_SAMPLES], yt[:TRAINING_SAMPLES]
    steps, worst_fd, closest_kink = [], 0.0, float("inf")
    moments = {name: (0.0, 0.0) for name, _ in trainable}
    number = 0
    for epoch in range(EPOCHS):
        for start in range(0, TRAINING_SAMPLES, BATCH_SIZE):
            end = min(start + BATCH_SIZE, TRAINING_SAMPLES)
            xb, yb = xtrain[start:end], ytrain[start:end]
            model.train()
            set_masks(model, masks[number], dtype)
            if check:
                # On a copy: a training pass updates BatchNorm's running statistics.
                for z in relu_inputs(copy.deepcopy(model), xb):
                    closest_kink = min(closest_kink, float(z.abs().min()))
            optimizer.zero_grad()
            before = state_as_numpy(model)
            z = model(xb)
            value = loss_value(loss, z, yb)
            value.backward()
            if gradient_noise is not None:
                noise_rng, size = gradient_noise
                largest = max(float(p.grad.abs().max()) for _, p in trainable)
                for _, p in trainable:   # an exact 0 (a dead or dropped unit) is exact in any precision
                    noise = torch.tensor(noise_rng.normal(0.0, size * largest, tuple(p.shape)), dtype=dtype)
                    p.grad += torch.where(p.grad != 0, noise, torch.zeros_like(noise))
            gradients = {name: p.grad.detach().to(torch.float64).numpy().copy() for name, p in trainable}
            if check:
                worst_fd = max(worst_fd, finite_difference_check(case, model, before, masks[number], xb, yb,
                                                                gradients))
            optimizer.step()
            after = state_as_numpy(model)
            if check:
                # The update, by the rule written out by hand (Adam's moments kept here).
                for name, _ in trainable:
                    if case["optimizer"]["name"] == "sgd":
                        expected = sgd_by_hand(before[name], gradients[name], case["optimizer"]["learningRate"])
                    else:
                        m, v = moments[name]
                        expected, m, v = adam_by_hand(before[name], gradients[name], m, v, number + 1,
                                                      case["optimizer"])
                        moments[name] = (m, v)
                    assert np.allclose(after[name], expected, rtol=0, atol=1e-13), (case["case"], number, name)
            steps.append({
                "epoch": epoch + 1, "start": start, "end": end,
                "outputs": output_activation(output, z).detach().to(torch.float64).numpy().copy(),
                "loss": float(value.detach()),
                "gradients": gradients,
                "after": after,
            })
            number += 1
    model.eval()
    xh, yh = xt[TRAINING_SAMPLES:], yt[TRAINING_SAMPLES:]
    if check:
        for z in relu_inputs(model, xh):
            closest_kink = min(closest_kink, float(z.abs().min()))
    with torch.no_grad():
        zh = model(xh)
        held_out = {"outputs": output_activation(output, zh).to(torch.float64).numpy().copy(),
                    "loss": float(loss_value(loss, zh, yh))}
    return steps, held_out, worst_fd, closest_kink


def finite_difference_check(case, model, state, masks, xb, yb, gradients):
    """Central differences of the batch loss (training mode, masks held, running statistics
    irrelevant to the loss) against autograd's gradients; returns the worst relative error."""
    probe = build(case["modules"], torch.float64)
    probe.train()
    set_masks(probe, masks, torch.float64)
    base = {k: (torch.tensor(v) if not isinstance(v, int) else torch.tensor(v, dtype=torch.long))
            for k, v in state.items()}

    def batch_loss(name, index, delta):
        s = {k: v.clone() for k, v in base.items()}
        s[name].view(-1)[index] += delta
        probe.load_state_dict(s, strict=True)
        with torch.no_grad():
            return float(loss_value(case["loss"], probe(xb.to(torch.float64)), yb.to(torch.float64)))

    worst = 0.0
    zero = zero_gradient_names(case["modules"])
    overall = max(float(np.max(np.abs(g))) for g in gradients.values())
    for name, analytic in gradients.items():
        numeric = np.zeros(analytic.size)
        for k in range(analytic.size):
            numeric[k] = (batch_loss(name, k, FD_STEP) - batch_loss(name, k, -FD_STEP)) / (2 * FD_STEP)
        a = analytic.reshape(-1)
        if name in zero:
            # 0 in exact arithmetic: both estimates are rounding noise.
            if max(float(np.max(np.abs(a))), float(np.max(np.abs(numeric)))) > 1e-8 * overall:
                raise AssertionError("%s: gradient of %s should be 0" % (case["case"], name))
            continue
        scale = max(np.linalg.norm(a), np.linalg.norm(numeric))
        error = 0.0 if scale == 0.0 else float(np.linalg.norm(a - numeric) / scale)
        if error > FD_TOLERANCE:
            raise AssertionError("%s: gradient of %s: finite-difference relative error %g"
                                 % (case["case"], name, error))
        worst = max(worst, error)
    return worst


def zero_gradient_names(specs):
    """Trainable tensors whose gradient is 0 in exact arithmetic: the bias of a Linear
    directly followed by BatchNorm in training (the batch mean removes it)."""
    return ["layers.%d.bias" % i for i, (a, b) in enumerate(zip(specs, specs[1:]))
            if a["kind"] == "linear" and b["kind"] == "batchnorm"]


def adam_margin(case, steps):
    """The smallest sqrt(v^_t) of a gradient element (the root mean square of its gradients so
    far, bias-corrected) over the largest gradient of step t, over all steps and elements
    whose v is not exactly 0; inf for SGD.

    Adam's step is learningRate * m^ / (sqrt(v^) + epsilon): rounding noise in a gradient
    (about 1e-7 of the step's largest gradient in Float32) moves it by learningRate * noise /
    sqrt(v^). An element whose gradients have all been 0 in exact arithmetic, such as the bias
    of a Linear that feeds BatchNorm through a ReLU active in every row of the first batch
    (float64 gives 1e-17, Float32 1e-9), has sqrt(v^) of the size of that noise, and Adam turns
    the noise into a step of up to learningRate. Elements exactly 0 (a unit dead in every row)
    stay 0 in any precision and are harmless."""
    if case["optimizer"]["name"] != "adam":
        return float("inf")
    beta2 = case["optimizer"]["beta2"]
    v, worst = {}, float("inf")
    for t, step in enumerate(steps, start=1):
        largest = max(float(np.max(np.abs(g))) for g in step["gradients"].values())
        for name, g in step["gradients"].items():
            v[name] = beta2 * v.get(name, 0.0) + (1 - beta2) * g * g
            nonzero = v[name] != 0.0
            if np.any(nonzero):
                rms = np.sqrt(v[name][nonzero] / (1 - beta2 ** t))
                worst = min(worst, float(rms.min()) / largest)
    return worst


def max_norm_relative(a, b):
    """max |a - b| / max |b|: the metric of the Swift tests (relativeDifference)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return float(np.max(np.abs(a - b))) / max(scale, 1e-30) if b.size else 0.0


def float32_agreement(steps64, held64, steps32, held32):
    """The worst difference of a float32 run from the float64 one: (outputs, losses, tensors
    and held-out outputs, max-norm relative per tensor; gradients, relative to the largest
    gradient of their step, since a gradient tensor can be small by cancellation, for example
    that of a Linear bias below BatchNorm, which is exactly 0 when the Linear feeds it)."""
    worst, worst_gradient = 0.0, 0.0
    for s64, s32 in zip(steps64, steps32):
        worst = max(worst, max_norm_relative(s32["outputs"], s64["outputs"]),
                    abs(s32["loss"] - s64["loss"]) / abs(s64["loss"]))
        for name, value in s64["after"].items():
            if isinstance(value, int):
                assert s32["after"][name] == value
            else:
                worst = max(worst, max_norm_relative(s32["after"][name], value))
        overall = max(float(np.max(np.abs(g))) for g in s64["gradients"].values())
        for name, value in s64["gradients"].items():
            worst_gradient = max(worst_gradient, float(np.max(np.abs(s32["gradients"][name] - value))) / overall)
    worst = max(worst, max_norm_relative(held32["outputs"], held64["outputs"]))
    return worst, worst_gradient


# ---------------------------------------------------------------------------
# JSON.
# ---------------------------------------------------------------------------

def tensors_json(state):
    """A tensor map: name -> {"shape": [...], "values": [flat, row-major]} (num_batches_tracked:
    shape [], one integer value), the form of a safetensors entry."""
    out = {}
    for name, value in state.items():
        if isinstance(value, int):
            out[name] = {"shape": [], "values": [value]}
        else:
            array = np.asarray(value, dtype=np.float64)
            out[name] = {"shape": list(array.shape), "values": array.reshape(-1).tolist()}
    return out


def build_case(case):
    check_case(case)
    rejected = []
    for attempt in range(20):
        rng = np.random.default_rng([BASE_SEED, zlib.crc32(case["case"].encode("utf-8")), attempt])
        x, y, initial, masks = make_data(case, rng)
        steps, held, worst_fd, closest_kink = train(case, x, y, initial, masks, torch.float64, check=True)
        if closest_kink < KINK_MARGIN:
            rejected.append("attempt %d: a ReLU input %.3g from 0" % (attempt, closest_kink))
            continue
        margin = adam_margin(case, steps)
        if margin < ADAM_MARGIN:
            rejected.append("attempt %d: Adam's sqrt(v^) of a gradient element only %.3g of the step's "
                            "largest gradient" % (attempt, margin))
            continue
        steps32, held32, _, _ = train(case, x, y, initial, masks, torch.float32)
        agreement, gradient_agreement = float32_agreement(steps, held, steps32, held32)
        if max(agreement, gradient_agreement) > FLOAT32_TOLERANCE:
            rejected.append("attempt %d: float32 differs by %.3g (gradients %.3g)"
                            % (attempt, agreement, gradient_agreement))
            continue
        noise_agreement = 0.0
        for seed in range(3):
            noisy, noisy_held, _, _ = train(case, x, y, initial, masks, torch.float64,
                                            gradient_noise=(np.random.default_rng(seed), GRADIENT_NOISE))
            noise_agreement = max(noise_agreement, float32_agreement(steps, held, noisy, noisy_held)[0])
        if noise_agreement > FLOAT32_TOLERANCE:
            rejected.append("attempt %d: gradient noise of %g moves the results by %.3g"
                            % (attempt, GRADIENT_NOISE, noise_agreement))
            continue
        break
    else:
        raise AssertionError("%s: no well-conditioned attempt: %s" % (case["case"], "; ".join(rejected)))
    for s in steps:
        assert np.all(np.isfinite(s["outputs"])) and np.isfinite(s["loss"])

    trainable_names = [n for n in initial if n.endswith(".weight") or n.endswith(".bias")]
    doc = {
        "case": case["case"],
        "description": case["description"],
        "reference": "PyTorch %s, float64" % torch.__version__.split("+")[0],
        "float32Agreement": {"tensors": agreement, "gradients": gradient_agreement},
        "gradientNoiseAgreement": noise_agreement,
        "attempt": attempt,
        "adamMargin": margin if margin != float("inf") else None,
        "rejectedAttempts": rejected,
        "inputSize": case["inputSize"],
        "modules": [dict({"index": i}, **spec) for i, spec in enumerate(case["modules"])],
        "output": OUTPUT_OF_LOSS[case["loss"]],
        "loss": case["loss"],
        "optimizer": case["optimizer"],
        "batchSize": BATCH_SIZE,
        "epochs": EPOCHS,
        "inputs": x[:TRAINING_SAMPLES].tolist(),
        "targets": y[:TRAINING_SAMPLES].tolist(),
        "trainable": trainable_names,
        "zeroGradients": zero_gradient_names(case["modules"]),
        "initial": tensors_json(initial),
        "steps": [{"step": k + 1, "epoch": s["epoch"], "start": s["start"], "end": s["end"],
                   "masks": {name: m.astype(int).tolist() for name, m in masks[k].items()},
                   "outputs": s["outputs"].tolist(), "loss": s["loss"],
                   "gradients": tensors_json(s["gradients"]), "after": tensors_json(s["after"])}
                  for k, s in enumerate(steps)],
        "final": tensors_json(steps[-1]["after"]),
        "heldOut": {"inputs": x[TRAINING_SAMPLES:].tolist(), "targets": y[TRAINING_SAMPLES:].tolist(),
                    "outputs": held["outputs"].tolist(), "loss": held["loss"]},
    }
    doc["checks"] = {"finiteDifference": worst_fd, "reluGap": closest_kink if closest_kink != float("inf") else None}
    return doc


def main():
    torch.set_num_threads(1)
    print("torch %s, numpy %s; finite-difference step %g, tolerance %g"
          % (torch.__version__, np.__version__, FD_STEP, FD_TOLERANCE))
    check_loss_formulas()
    check_layer_formulas()
    print("loss, BatchNorm, LayerNorm and dropout formulas checked")
    print("%-22s %7s %9s %9s %10s %9s %9s %9s %9s %9s" % (
        "case", "attempt", "loss1", "lossLast", "worst FD", "ReLU gap", "Adam gap", "f32", "f32 grad", "noise"))
    for case in case_list():
        doc = build_case(case)
        path = os.path.join(HERE, "layers-%s.json" % case["case"])
        with open(path, "w") as f:
            f.write(to_json_text(doc) + "\n")
        with open(path) as f:
            assert json.load(f) == json.loads(json.dumps(doc)), path
        checks = doc["checks"]
        print("%-22s %7d %9.6f %9.6f %10.2e %9.2e %9.2e %9.2e %9.2e %9.2e" % (
            case["case"], doc["attempt"], doc["steps"][0]["loss"], doc["steps"][-1]["loss"],
            checks["finiteDifference"], checks["reluGap"] or float("inf"), doc["adamMargin"] or float("inf"),
            doc["float32Agreement"]["tensors"], doc["float32Agreement"]["gradients"],
            doc["gradientNoiseAgreement"]))
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
