"""PyTorch <-> mlp model files that carry a standardizer, both directions.

A standardized model file holds, besides the nn.Sequential's state dict (layers.{i}.weight,
layers.{i}.bias), two F32 tensors of shape [inputs]: standardizer.mean and standardizer.scale.
The network computes model((x - mean) / scale) on raw features x. They are not module
parameters, so a PyTorch user pops them before load_state_dict(strict=True):

    state = load_file(path)
    mean, scale = state.pop("standardizer.mean"), state.pop("standardizer.scale")
    model.load_state_dict(state, strict=True)
    probabilities = torch.softmax(model((x - mean) / scale), dim=1)

make (default): builds nn.Sequential(Linear(3, 6), Tanh(), Linear(6, 2)) held as `layers`
(softmax output, not a module) with seeded parameters, a standardizer (mean, scale), and writes
next to this script:

    torch_standardized.safetensors          the state dict plus the standardizer tensors, no
                                            metadata (mlp needs --layers 3,6,2 --activation tanh
                                            --output softmax)
    torch_standardized_inputs.csv           8 raw samples, far from standardized (offsets and
                                            spreads of 1000, 0.002 and 50), 9 digits, so they read
                                            back as the float32 values used
    torch_standardized_outputs.csv          softmax(model((x - mean) / scale)) in float64 from
                                            the float32 parameters, inputs and statistics

`mlp predict --model torch_standardized.safetensors --layers 3,6,2 --activation tanh
--output softmax --input torch_standardized_inputs.csv --probabilities` must reproduce the
outputs (Tests/MLPToolTests/ReferenceTests.swift).

check MODEL INPUTS.csv OUTPUTS.csv: the other direction, for a model of Dense layers saved by
`mlp train --standardize`: builds the mirroring nn.Sequential from the file's architecture
metadata, pops the standardizer tensors, loads the rest with strict=True, and compares
softmax(model((x - mean) / scale)) (or the identity/sigmoid output the metadata names) with
what `mlp predict --probabilities` printed: the largest difference must be below 1e-5.

Needs torch, safetensors and numpy (/work/venv-peers has them).
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
LAYERS_FIXTURES = os.path.join(HERE, "..", "..", "NeuralNetworkTests", "Fixtures", "layers")
sys.path.insert(0, LAYERS_FIXTURES)
sys.dont_write_bytecode = True
from make_layer_fixtures import activation, build, linear, output_activation  # noqa: E402

SEED = 20261204
TOLERANCE = 1e-5
MODULES = [linear(3, 6), activation("tanh"), linear(6, 2)]


def make():
    rng = np.random.default_rng(SEED)
    model = build(MODULES, torch.float32)
    state = {name: torch.tensor(rng.normal(0.0, 0.8, size=tuple(t.shape)), dtype=torch.float32)
             for name, t in model.state_dict().items()}
    model.load_state_dict(state, strict=True)
    offsets, spreads = np.array([1000.0, 0.0, -50.0]), np.array([30.0, 0.002, 5.0])
    mean = (offsets + rng.normal(0.0, 0.1, 3) * spreads).astype(np.float32)
    scale = (spreads * rng.uniform(0.8, 1.2, 3)).astype(np.float32)
    path = os.path.join(HERE, "torch_standardized.safetensors")
    save_file(dict(state, **{"standardizer.mean": torch.tensor(mean), "standardizer.scale": torch.tensor(scale)}), path)

    inputs_path = os.path.join(HERE, "torch_standardized_inputs.csv")
    raw = offsets + rng.normal(0.0, 1.0, size=(8, 3)) * spreads
    np.savetxt(inputs_path, raw.astype(np.float32), delimiter=",", fmt="%.9g")
    inputs = np.loadtxt(inputs_path, delimiter=",", ndmin=2).astype(np.float32)

    reference = build(MODULES, torch.float64)
    reference.load_state_dict({k: v.double() for k, v in state.items()}, strict=True)
    x = (torch.tensor(inputs, dtype=torch.float64) - torch.tensor(mean, dtype=torch.float64)) \
        / torch.tensor(scale, dtype=torch.float64)
    with torch.no_grad():
        probabilities = output_activation("softmax", reference(x)).numpy()
    outputs_path = os.path.join(HERE, "torch_standardized_outputs.csv")
    np.savetxt(outputs_path, probabilities, delimiter=",", fmt="%.17g")
    print("wrote torch_standardized.safetensors, torch_standardized_inputs.csv, torch_standardized_outputs.csv")


def check(model_path, inputs_path, outputs_path):
    with safe_open(model_path, framework="pt") as f:
        architecture = json.loads(f.metadata()["architecture"])
    layers = architecture["layers"]
    specs = []
    for i, spec in enumerate(layers):
        assert spec["kind"] == "dense", "this check covers Dense layers"
        specs.append(linear(spec["inputSize"], spec["outputSize"]))
        if i < len(layers) - 1 and spec["activation"] != "identity":
            specs.append(activation(spec["activation"]))
    model = build(specs, torch.float32)
    state = load_file(model_path)
    mean, scale = state.pop("standardizer.mean"), state.pop("standardizer.scale")
    model.load_state_dict(state, strict=True)
    inputs = torch.tensor(np.loadtxt(inputs_path, delimiter=",", ndmin=2), dtype=torch.float32)
    wanted = np.loadtxt(outputs_path, delimiter=",", ndmin=2)
    with torch.no_grad():
        got = output_activation(layers[-1]["activation"], model((inputs - mean) / scale)).numpy().astype(np.float64)
    error = float(np.abs(got - wanted).max())
    print("%s: strict load after popping standardizer.mean and standardizer.scale (%d features); "
          "torch reproduces %s, max abs difference %.3g" % (model_path, mean.numel(), os.path.basename(outputs_path), error))
    assert error < TOLERANCE, error


if __name__ == "__main__":
    torch.set_num_threads(1)
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        if len(sys.argv) != 5:
            sys.exit("usage: torch_standardized_interop.py check MODEL INPUTS.csv OUTPUTS.csv")
        check(*sys.argv[2:5])
    else:
        make()
