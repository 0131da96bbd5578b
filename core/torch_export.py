"""A run as a short, runnable PyTorch script: same weights, same cost, same optimizer, same data.

For the learner who moves on to a real framework: ``pytorch_script(run)`` writes a script that
builds the network as ``nn.Sequential`` of ``nn.Linear`` layers with the run's parameters *at its
current step*, embeds the training data (and the test data, if any), prints the cost there — the
number the studio shows for that step — and then trains on with the torch.optim optimizer that
matches the run's update rule (core/update_rules.py follows torch.optim's formulas and names), its
hyper-parameters and its state at that step (velocities, running sums, moments, step count), so the
costs it prints next are those the studio would reach. Mini-batches are drawn in the studio's order
(numpy's default_rng seeded with the shuffle seed and the pass), and parameters held by "train only
the surface parameters" stay held.

Conventions the script spells out: the studio's W is (inputs, outputs) and nn.Linear keeps its
transpose; squared error is ½Σ(ŷ − y)² per sample (not torch's MSELoss); the penalty covers the
weights, not the biases. Everything runs in float64, as in the studio.

Pure text generation: torch is not needed to write the script, only to run it.
"""
from __future__ import annotations

import numpy as np

from .schedules import Constant

__all__ = ["pytorch_script", "TORCH_OPTIMIZERS"]

# studio rule name -> (torch.optim class, {studio hyper-parameter: torch keyword}, fixed keywords)
TORCH_OPTIMIZERS = {
    "sgd": ("SGD", {"weight_decay": "weight_decay"}, {}),
    "momentum": ("SGD", {"momentum": "momentum", "dampening": "dampening", "weight_decay": "weight_decay"}, {}),
    "nesterov": ("SGD", {"momentum": "momentum", "dampening": "dampening", "weight_decay": "weight_decay"},
                 {"nesterov": True}),
    "adagrad": ("Adagrad", {"lr_decay": "lr_decay", "weight_decay": "weight_decay", "eps": "eps",
                            "initial_accumulator_value": "initial_accumulator_value"}, {}),
    "rmsprop": ("RMSprop", {"alpha": "alpha", "eps": "eps", "weight_decay": "weight_decay",
                            "momentum": "momentum", "centered": "centered"}, {}),
    "adam": ("Adam", {"betas": "betas", "eps": "eps", "weight_decay": "weight_decay"}, {}),
    "adamw": ("AdamW", {"betas": "betas", "eps": "eps", "weight_decay": "weight_decay"}, {}),
}

# studio rule-state key -> torch.optim state key (the step counter "t" becomes torch's "step")
_STATE_KEYS = {"velocity": "momentum_buffer", "sum": "sum", "square_avg": "square_avg",
               "momentum_buffer": "momentum_buffer", "grad_avg": "grad_avg", "exp_avg": "exp_avg",
               "exp_avg_sq": "exp_avg_sq"}
_STEP_IN_STATE = {"adagrad", "rmsprop", "adam", "adamw"}   # torch keeps a tensor "step" for these

_MODULES = {"sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "relu": "nn.ReLU()", "linear": "nn.Identity()",
            "leaky_relu": "nn.LeakyReLU(0.01)", "elu": "nn.ELU(alpha=1.0)", "softplus": "nn.Softplus()",
            "softmax": "nn.Softmax(dim=1)"}
_FUNCTIONS = {"sigmoid": "torch.sigmoid(z)", "tanh": "torch.tanh(z)", "relu": "torch.relu(z)", "linear": "z",
              "leaky_relu": "nn.functional.leaky_relu(z, 0.01)", "elu": "nn.functional.elu(z, alpha=1.0)",
              "softplus": "nn.functional.softplus(z)", "softmax": "torch.softmax(z, dim=1)"}


def _numbers(values) -> str:
    """A list literal of float64 values, each written so it reads back bit for bit."""
    return "[" + ", ".join(repr(float(v)) for v in np.ravel(values)) + "]"


def _matrix(rows) -> str:
    rows = np.asarray(rows, dtype=np.float64)
    return "[\n" + "".join(f"    {_numbers(row)},\n" for row in rows) + "]"


def _cost_lines(loss: str, output: str, penalty: str | None, rate: float) -> list[str]:
    if loss == "binary_cross_entropy" and output == "sigmoid":
        per_sample = ["    # binary cross-entropy from the logit z, exact for any z (as the studio computes it)",
                      "    per_sample = nn.functional.binary_cross_entropy_with_logits(z, Y, reduction=\"none\")"
                      ".sum(dim=1)"]
    elif loss == "cross_entropy" and output == "softmax":
        per_sample = ["    # cross-entropy from the logits: -Σ_k y_k log softmax(z)_k",
                      "    per_sample = -(Y * torch.log_softmax(z, dim=1)).sum(dim=1)"]
    else:
        activation = _FUNCTIONS[output]
        if loss == "squared_error":
            formula = "0.5 * (y_hat - Y) ** 2"
            note = "squared error ½ Σ_k (ŷ_k − y_k)² per sample (torch's MSELoss has no ½ and averages outputs)"
        elif loss == "binary_cross_entropy":
            formula = "-(Y * torch.log(p) + (1 - Y) * torch.log1p(-p))"
            note = "binary cross-entropy of ŷ clipped to [1e-12, 1 - 1e-12]"
        else:
            formula = "-Y * torch.log(p)"
            note = "cross-entropy of ŷ clipped to [1e-12, 1]"
        per_sample = [f"    # {note}", f"    y_hat = {activation}"]
        if loss != "squared_error":
            upper = "1.0 - 1e-12" if loss == "binary_cross_entropy" else "1.0"
            per_sample.append(f"    p = y_hat.clamp(1e-12, {upper})")
        per_sample.append(f"    per_sample = ({formula}).sum(dim=1)")
    lines = ["def cost(X, Y):",
             "    \"\"\"The studio's cost J: the mean over samples of the loss, plus the weights' penalty.\"\"\"",
             "    z = model(X)   # the output layer's z (its activation is applied below)",
             *per_sample, "    J = per_sample.mean()"]
    if penalty == "l1":
        lines.append(f"    J = J + {rate!r} * sum(layer.weight.abs().sum() for layer in linears)   # L1 on the weights")
    elif penalty == "l2":
        lines.append(f"    J = J + 0.5 * {rate!r} * sum((layer.weight ** 2).sum() for layer in linears)"
                     "   # L2 on the weights")
    lines.append("    return J")
    return lines


def _optimizer_call(rule, rate: float) -> str:
    try:
        cls, names, fixed = TORCH_OPTIMIZERS[rule.name]
    except KeyError:
        raise ValueError(f"the {rule.name!r} optimizer has no torch.optim counterpart") from None
    hyper = rule.hyper
    if hyper.get("bias_correction") is False:
        raise ValueError("Adam without bias correction is not a torch.optim option: switch it back on to export")
    options = [f"lr={rate!r}"]
    for studio, torch_name in names.items():
        value = hyper[studio]
        options.append(f"{torch_name}={tuple(float(v) for v in value)!r}" if studio == "betas"
                       else f"{torch_name}={value!r}")
    options += [f"{key}={value!r}" for key, value in fixed.items()]
    return f"optimizer = torch.optim.{cls}(model.parameters(), {', '.join(options)})"


def _state_lines(rule, state: dict) -> list[str]:
    t = int(state.get("t", 0))
    arrays = {key: value for key, value in state.items() if isinstance(value, np.ndarray)}
    if t == 0 or not arrays:
        return ["# The optimizer starts fresh here (no step taken yet), as in the studio."]
    lines = [f"# The optimizer's state after the studio's {t} step(s) of this rule, so training continues exactly",
             "STATE = {"]
    lines += [f"    {_STATE_KEYS[key]!r}: {_numbers(value)}," for key, value in arrays.items()]
    lines += ["}", "for index, parameter in enumerate(model.parameters()):",
              "    state = optimizer.state[parameter]"]
    if rule.name in _STEP_IN_STATE:
        lines.append(f"    state[\"step\"] = torch.tensor({float(t)!r})")
    lines.append("    for key, flat in STATE.items():")
    lines.append("        state[key] = per_parameter(flat)[index]")
    return lines


def pytorch_script(run, steps: int = 100, label: str = "") -> str:
    """A runnable PyTorch script of ``run`` at its current step (see the module docstring).

    ``steps``: how many further steps the script trains. ValueError when the run uses something
    torch.optim has no counterpart for (a learning-rate schedule, Adam without bias correction)."""
    if not isinstance(run.schedule, Constant):
        raise ValueError("the PyTorch export supports a constant learning rate; this run has a schedule")
    net, rule = run.net, run.rule
    step, rate = run.step_count, run.learning_rate
    names = net.parameter_names()
    theta = net.parameter_vector()
    n, full = len(run.X), run.full_batch
    modules = []
    for layer, (n_in, n_out) in enumerate(zip(net.sizes[:-1], net.sizes[1:])):
        last = layer == net.depth - 1
        modules.append(f"    nn.Linear({n_in}, {n_out}),"
                       + ("" if last else f" {_MODULES[net.activations[layer]]},"))
    output = net.activations[-1]
    title = f"step {step} of {label}" if label else f"step {step}"
    lines = [
        f'"""Chain Rule Studio: {net!r} at {title}, trained with {rule.title}.',
        "",
        f"Builds the network with the studio's weights at step {step}, prints its cost on the training",
        f"data there (the studio showed J = {run.cost!r}), then trains {steps} more steps with",
        "torch.optim and prints the cost as it goes. Run it with:  python this_file.py  (needs torch).",
        '"""',
        "import torch",
        "from torch import nn",
        *([] if full else ["import numpy as np"]),
        "",
        "torch.set_default_dtype(torch.float64)   # the studio computes in float64",
        "",
        f"# Training data: {n} samples, {net.sizes[0]} input(s), {net.sizes[-1]} target column(s)",
        f"X = torch.tensor({_matrix(run.X)})",
        f"Y = torch.tensor({_matrix(run.y)})",
    ]
    if run.X_test is not None:
        lines += [f"X_test = torch.tensor({_matrix(run.X_test)})", f"Y_test = torch.tensor({_matrix(run.y_test)})"]
    lines += [
        "",
        f"# The network {' → '.join(str(s) for s in net.sizes)}; the output layer's activation "
        f"({output}) is part of the cost below",
        "model = nn.Sequential(", *modules, ")",
        "linears = [layer for layer in model if isinstance(layer, nn.Linear)]",
        "",
        f"# The parameters at step {step}, by their names in the studio",
        "PARAMETERS = {",
        *[f"    {name!r}: {float(v)!r}," for name, v in zip(names, theta)],
        "}",
        "",
        "",
        "def per_parameter(flat):",
        "    \"\"\"A studio vector (per layer: W row by row, then b; W is inputs × outputs) as tensors shaped",
        "    like model.parameters() (nn.Linear keeps W transposed: outputs × inputs).\"\"\"",
        "    tensors, offset = [], 0",
        "    for layer in linears:",
        "        n_out, n_in = layer.weight.shape",
        "        W = torch.tensor(flat[offset:offset + n_in * n_out]).reshape(n_in, n_out)",
        "        offset += n_in * n_out",
        "        tensors += [W.T.contiguous(), torch.tensor(flat[offset:offset + n_out])]",
        "        offset += n_out",
        "    return tensors",
        "",
        "",
        "with torch.no_grad():",
        "    for parameter, value in zip(model.parameters(), per_parameter(list(PARAMETERS.values()))):",
        "        parameter.copy_(value)",
        "",
        "",
        *_cost_lines(str(net.loss), output, net.regularization if net.regularization_rate else None,
                     float(net.regularization_rate)),
        "",
        "",
        _optimizer_call(rule, rate),
        *_state_lines(rule, run.rule_state),
    ]
    held = [] if run.only is None else [name for name in names if name not in run.only]
    if held:
        lines += ["", "# Parameters the studio held still (it trained only the surface's parameters)",
                  f"HELD = per_parameter({_numbers([name in held for name in names])})",
                  "HELD = [mask.bool() for mask in HELD]"]
    if not full:
        seen, shuffle_pass, position = run.cursor
        lines += ["", "# Mini-batches in the studio's order: each pass a permutation drawn from (seed, pass)",
                  f"BATCH_SIZE, SHUFFLE_SEED = {run.batch_size}, {run.shuffle_seed}",
                  f"cursor = {{\"pass\": {shuffle_pass}, \"position\": {position}, \"order\": None}}",
                  "",
                  "",
                  "def next_batch():",
                  "    if cursor[\"order\"] is None:",
                  "        rng = np.random.default_rng([SHUFFLE_SEED, cursor[\"pass\"]])",
                  "        cursor[\"order\"] = rng.permutation(len(X))",
                  "    batch = cursor[\"order\"][cursor[\"position\"]:cursor[\"position\"] + BATCH_SIZE]",
                  "    cursor[\"position\"] += len(batch)",
                  "    if cursor[\"position\"] >= len(X):",
                  "        cursor.update({\"pass\": cursor[\"pass\"] + 1, \"position\": 0, \"order\": None})",
                  "    return torch.as_tensor(batch)"]
    every = 1 if steps <= 20 else max(1, steps // 10)
    report = ("        print(f\"step {step}: J = {cost(X, Y).item():.12g}\"" +
              (" + f\"   test J = {cost(X_test, Y_test).item():.12g}\")" if run.X_test is not None else ")"))
    lines += [
        "",
        "",
        "def show(step):",
        "    with torch.no_grad():",
        report,
        "",
        "",
        f"FIRST_STEP, STEPS = {step}, {int(steps)}",
        "show(FIRST_STEP)",
        "for step in range(FIRST_STEP + 1, FIRST_STEP + STEPS + 1):",
        "    optimizer.zero_grad()",
        "    cost(X, Y).backward()" if full else "    batch = next_batch()\n    cost(X[batch], Y[batch]).backward()",
    ]
    if held:
        lines += ["    before = [p.detach().clone() for p in model.parameters()]",
                  "    for p, mask in zip(model.parameters(), HELD):",
                  "        p.grad[mask] = 0.0"]
    lines.append("    optimizer.step()")
    if held:
        lines += ["    with torch.no_grad():",
                  "        for p, old, mask in zip(model.parameters(), before, HELD):",
                  "            p[mask] = old[mask]"]
    lines += [f"    if (step - FIRST_STEP) % {every} == 0 or step == FIRST_STEP + STEPS:", "        show(step)", ""]
    return "\n".join(lines)
