"""Benchmark: one full-batch gradient step, against PyTorch's CPU autograd measured in the same run.

Workload: a [2, 16, 16, 3] network, tanh hidden layers, softmax output, cross-entropy loss, on the
5,000 samples of the "blobs" dataset (3 classes, seed 0): cost, gradient, the finiteness checks
GradientDescent makes, and the update theta <- theta - 0.1 dJ/dtheta.

Variants, interleaved round by round so a burst of load elsewhere hits all of them alike:

* plain: ``Network.backward`` + concatenate + ``set_parameter_vector`` (what GradientDescent does);
  also with BLAS held to one thread, to separate threading from the rest;
* fast: ``core.fast_step.StepWorkspace.gradient`` + the same update, BLAS held to one thread (the
  default) and with OpenBLAS's own threading;
* public API: ``core.GradientDescent(...).step(1)``, one call per step, as a notebook or the app's
  training worker steps a run: the fast gradient plus the run's bookkeeping (edit detection, the
  update rule, the divergence checks, the trajectory's row, path record and keyframes). The goal
  is measured on this one;
* torch: float64 tensors with the same weights and data, ``torch.addmm`` + ``tanh`` +
  ``cross_entropy`` + ``autograd.grad`` + an in-place update, at torch's default thread count and at
  one thread; float32 for information only (it is not the same computation).

torch runs in a child process of this script (same run, same rounds, never at the same time as the
numpy variants): importing it in this process would change what is measured for numpy (its
allocator frees and reuses memory differently, which moves glibc's mmap threshold and hides the
plain step's page faults; its OpenMP threads spin after each call). torch is *not* a dependency:
without it the script says so and still compares fast with plain. Before any timing the gradients
are compared (max abs difference).

Reference: the faster of torch float64 at its default thread count and at one thread (the harder
bar). Goal: public/torch <= 0.5, on medians; the ratio on best times is printed as well.

Run by hand or by ``make bench``: ``python tests/benchmarks/bench_step.py``. The last line is
``ratio public API/torch: R (goal <= 0.5)``.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

SIZES = [2, 16, 16, 3]
ACTIVATIONS = ["tanh", "tanh", "softmax"]
SAMPLES = 5000
RATE = 0.1
ROUNDS = 15       # interleaved rounds
PER_ROUND = 40    # steps per variant per round
DROP = 3          # first steps of each batch: warm-up after the other variants ran, not counted

ROOT = Path(__file__).resolve().parents[2]


def workload():
    sys.path.insert(0, str(ROOT))
    import numpy as np

    import core

    data = core.load_dataset("blobs", n=SAMPLES, seed=0)
    X, Y = np.array(data.X, dtype=np.float64), np.array(data.y, dtype=np.float64)
    return X, Y, core.Network(SIZES, ACTIVATIONS, "cross_entropy", seed=0)


def per_step_times(step, count):
    out = []
    clock = time.perf_counter
    for _ in range(count):
        t0 = clock()
        step()
        out.append(clock() - t0)
    return out


# ---------------------------------------------------------------------------------- torch (child)
def torch_worker() -> None:
    """Child process: answers {"run": name, "count": k} with {"times": [...]} on stdin/stdout."""
    import warnings
    warnings.simplefilter("ignore")
    try:
        import torch
    except ImportError as exc:
        print(json.dumps({"ok": False, "error": str(exc)}), flush=True)
        return
    import numpy as np

    X, Y, base = workload()
    default_threads = torch.get_num_threads()
    labels = torch.from_numpy(np.argmax(Y, axis=1))
    assert np.array_equal(np.eye(3)[labels.numpy()], Y), "blobs targets are one-hot"

    def make(dtype, threads):
        Xt = torch.from_numpy(X).to(dtype)
        params = []
        for W, b in zip(base.weights, base.biases):
            params += [torch.tensor(W, dtype=dtype, requires_grad=True),
                       torch.tensor(b, dtype=dtype, requires_grad=True)]

        def loss_fn():
            a = Xt
            for layer in range(len(SIZES) - 1):
                z = torch.addmm(params[2 * layer + 1], a, params[2 * layer])
                a = torch.tanh(z) if layer < len(SIZES) - 2 else z
            return torch.nn.functional.cross_entropy(a, labels)

        def step():
            grads = torch.autograd.grad(loss_fn(), params)
            with torch.no_grad():
                for p, g in zip(params, grads):
                    p.sub_(g, alpha=RATE)
        return params, loss_fn, step, threads

    params, loss_fn, _, _ = make(torch.float64, default_threads)
    loss = loss_fn()
    grads = torch.autograd.grad(loss, params)
    variants = {f"torch float64, {default_threads} threads (default)": make(torch.float64, default_threads)}
    if default_threads != 1:
        variants["torch float64, 1 thread"] = make(torch.float64, 1)
    variants[f"torch float32, {default_threads} threads (not the same computation)"] = \
        make(torch.float32, default_threads)
    print(json.dumps({"ok": True, "version": torch.__version__, "default_threads": default_threads,
                      "variants": list(variants), "cost": float(loss.detach()),
                      "gradient": np.concatenate([g.numpy().ravel() for g in grads]).tolist()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "run" not in request:
            break
        _, _, step, threads = variants[request["run"]]
        torch.set_num_threads(threads)
        print(json.dumps({"times": per_step_times(step, request["count"])}), flush=True)


class TorchChild:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, __file__, "--torch-worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.hello = json.loads(self.proc.stdout.readline())

    def runner(self, name):
        def run(count):
            self.proc.stdin.write(json.dumps({"run": name, "count": count}) + "\n")
            self.proc.stdin.flush()
            return json.loads(self.proc.stdout.readline())["times"]
        return run

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps({"quit": True}) + "\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=30)


# ---------------------------------------------------------------------------------- plain's phases
def plain_phases(net, X, Y, repeats=100):
    """Network.backward's own operations in its order, timed by phase (median seconds per step)."""
    import numpy as np

    from core.network import elementwise_cost

    clock = time.perf_counter
    samples = {}
    L, N = net.depth, X.shape[0]
    loss = net.loss_function
    for _ in range(repeats):
        t = dict.fromkeys(("forward matmul", "activations", "softmax/loss", "backward matmul",
                           "update + checks"), 0.0)
        t0 = clock()
        acts, zs = [X], []
        for layer in range(L):
            a = clock()
            z = acts[-1] @ net.weights[layer] + net.biases[layer]
            b = clock()
            out = net.activation(layer).forward(z)
            c = clock()
            t["forward matmul"] += b - a
            t["softmax/loss" if layer == L - 1 else "activations"] += c - b
            zs.append(z)
            acts.append(out)
        a = clock()
        losses = elementwise_cost(net.activation(L - 1), loss, zs[-1], acts[-1], Y).sum(axis=1)
        cost = float(losses.mean())
        loss.derivative(acts[-1], Y)
        net.activation(L - 1).derivative(zs[-1], acts[-1])
        delta = loss.logit_delta(acts[-1], Y)
        t["softmax/loss"] += clock() - a
        dW, db = [None] * L, [None] * L
        for layer in range(L - 1, -1, -1):
            a = clock()
            dW[layer] = acts[layer].T @ delta / N
            db[layer] = delta.mean(axis=0)
            if layer == 0:
                t["backward matmul"] += clock() - a
                break
            dJ_da = delta @ net.weights[layer].T
            b = clock()
            delta = dJ_da * net.activation(layer - 1).derivative(zs[layer - 1], acts[layer])
            c = clock()
            t["backward matmul"] += b - a
            t["activations"] += c - b
        a = clock()
        grad = np.concatenate([p for W, bb in zip(dW, db) for p in (W.ravel(), bb)])
        assert np.isfinite(cost) and np.all(np.isfinite(grad))
        net.parameter_vector() - RATE * grad  # the update's arithmetic; the network is left as it is
        t["update + checks"] += clock() - a
        del t0
        for phase, seconds in t.items():
            samples.setdefault(phase, []).append(seconds)
    return {phase: float(np.median(v)) for phase, v in samples.items()}


def minor_faults_per_step(step, count=200):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(count):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / count


# ---------------------------------------------------------------------------------- main
def main() -> None:
    X, Y, base = workload()
    import numpy as np

    from core.fast_step import StepWorkspace, blas_thread_limit, blas_threads

    net_plain = base.copy()

    def plain_step():
        bw = net_plain.backward(X, Y)
        grad = np.concatenate([p for W, b in zip(bw.dW, bw.db) for p in (W.ravel(), b)])
        if not (np.isfinite(bw.cost) and np.all(np.isfinite(grad))):
            raise ArithmeticError("diverged")
        net_plain.set_parameter_vector(net_plain.parameter_vector() - RATE * grad)

    def plain_step_one_thread():
        with blas_thread_limit(1):
            plain_step()

    def make_fast(threads):
        net = base.copy()
        ws = StepWorkspace(net, X, Y, blas_threads=threads)
        scaled = np.empty_like(ws.parameters)

        def fast_step():
            cost, grad = ws.gradient()
            if not (np.isfinite(cost) and np.all(np.isfinite(grad))):
                raise ArithmeticError("diverged")
            np.multiply(grad, RATE, out=scaled)
            np.subtract(ws.parameters, scaled, out=scaled)
            net.set_parameter_vector(scaled)
        return ws, fast_step

    ws, fast_step = make_fast(1)
    _, fast_step_blas_default = make_fast(None)
    FAST = "fast (BLAS 1 thread)"
    PUBLIC = "public API: GradientDescent.step(1)"
    import core
    descent = core.GradientDescent(base.copy(), X, Y, RATE)
    local = {"plain": plain_step, "plain, BLAS 1 thread": plain_step_one_thread,
             FAST: fast_step, "fast, BLAS default threads (OpenBLAS decides)": fast_step_blas_default,
             PUBLIC: lambda: descent.step(1)}
    variants = {name: (lambda step: lambda count: per_step_times(step, count))(step)
                for name, step in local.items()}

    child = TorchChild()
    try:
        torch_ok = child.hello.get("ok", False)
        if torch_ok:
            # The same gradient before any timing: the numbers must agree, not just the shapes.
            cost_ws, grad_ws = StepWorkspace(base, X, Y).gradient()
            grad_net = base.gradient_vector(X, Y)
            grad_torch = np.array(child.hello["gradient"])
            print(f"torch {child.hello['version']}, default {child.hello['default_threads']} threads; "
                  f"gradient check: max |fast - torch| = {np.max(np.abs(grad_ws - grad_torch)):.1e}, "
                  f"max |fast - Network| = {np.max(np.abs(grad_ws - grad_net)):.1e}, "
                  f"|cost fast - torch| = {abs(cost_ws - child.hello['cost']):.1e} "
                  f"(max |gradient| {np.max(np.abs(grad_net)):.1e})")
            if not np.allclose(grad_ws, grad_torch, rtol=1e-10, atol=1e-12):
                raise SystemExit("the gradients disagree: not timing")
            for name in child.hello["variants"]:
                variants[name] = child.runner(name)

        for run in variants.values():  # warm-up: caches, BLAS threads, allocators
            run(20)
        samples = {name: [] for name in variants}
        for _ in range(ROUNDS):
            for name, run in variants.items():
                samples[name] += run(PER_ROUND)[DROP:]
    finally:
        child.close()
    median = {name: float(np.median(t)) for name, t in samples.items()}
    best = {name: float(np.min(t)) for name, t in samples.items()}
    p90 = {name: float(np.percentile(t, 90)) for name, t in samples.items()}

    print(f"workload: {SIZES} network, {'/'.join(ACTIVATIONS)}, cross-entropy, {SAMPLES} samples "
          f"(blobs, 3 classes, seed 0); one step = cost + gradient + checks + update")
    print(f"{ROUNDS * (PER_ROUND - DROP)} timed steps per variant in {ROUNDS} interleaved rounds:")
    for name in variants:
        print(f"  {name:<52} median {median[name] * 1e3:6.3f} ms  best {best[name] * 1e3:6.3f} ms  "
              f"p90 {p90[name] * 1e3:6.3f} ms")

    # ---- where the time goes
    fast_phases = ws.profile(300)
    spare = base.copy()
    fast_phases["update + checks"] = float(np.median(per_step_times(
        lambda: (np.isfinite(ws.parameters).all(), spare.set_parameter_vector(ws.parameters)), 300)))
    slow_phases = plain_phases(base.copy(), X, Y)
    print("where the time goes (median us per step, each phase timed on its own; plain = "
          "Network.backward's operations):")
    print(f"  {'phase':<20} {'plain':>8} {'fast':>8}")
    for phase in ("load parameters", "forward matmul", "activations", "softmax/loss", "backward matmul",
                  "regularization", "update + checks"):
        p = slow_phases.get(phase)
        print(f"  {phase:<20} {'-' if p is None else f'{p * 1e6:8.1f}':>8} {fast_phases[phase] * 1e6:8.1f}")
    rest_plain = median["plain"] - sum(slow_phases.values())
    rest_fast = median[FAST] - sum(fast_phases.values())
    print(f"  {'the rest':<20} {rest_plain * 1e6:8.1f} {rest_fast * 1e6:8.1f}   (step median minus the phases: "
          f"for plain, allocating and faulting in the intermediates Network.backward keeps, and its "
          f"bookkeeping; for fast, the Python loop)")
    faults_plain = minor_faults_per_step(plain_step)
    faults_fast = minor_faults_per_step(fast_step)
    print(f"  page faults (ru_minflt) per step: plain {faults_plain:.0f}, fast {faults_fast:.0f} "
          f"(fresh temporaries over glibc's mmap threshold come back as zeroed 4 kB pages)")
    print(f"  BLAS threads: OpenBLAS default {sorted(set(blas_threads().values())) or '?'}"
          f"{'' if blas_threads() else ' (threadpoolctl missing: the fast step cannot limit them)'}; "
          f"plain at 1 thread {median['plain, BLAS 1 thread'] * 1e3:.3f} ms vs {median['plain'] * 1e3:.3f} ms")
    print(f"ratio fast/plain: {median[FAST] / median['plain']:.3f}")
    print(f"the run's bookkeeping per step: {(median[PUBLIC] - median[FAST]) * 1e6:.1f} us "
          f"(public API {median[PUBLIC] * 1e3:.3f} ms vs fast {median[FAST] * 1e3:.3f} ms)")

    if not torch_ok:
        print(f"torch is not importable ({child.hello.get('error')}); it is optional, not a dependency "
              "of the app. To compare with it: .venv/bin/pip install torch==2.13.0 (a CPU build is enough).")
        return
    torch_names = [name for name in variants if name.startswith("torch float64")]
    ref = min(torch_names, key=lambda name: median[name])
    ref_best = min(best[name] for name in torch_names)
    print(f"reference: {ref}, the faster torch float64: median {median[ref] * 1e3:.3f} ms")
    print(f"ratio plain/torch: {median['plain'] / median[ref]:.3f}")
    print(f"ratio fast/torch on best times: {best[FAST] / ref_best:.3f}")
    threaded = "fast, BLAS default threads (OpenBLAS decides)"
    print(f"ratio fast with OpenBLAS's own threads/torch: {median[threaded] / median[ref]:.3f} (not what "
          "training uses: beside the app's workers those threads make slow outliers)")
    print(f"ratio fast/torch: {median[FAST] / median[ref]:.3f}")
    ratio = median[PUBLIC] / median[ref]
    print(f"ratio public API/torch: {ratio:.3f} (goal <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    if sys.argv[1:] == ["--torch-worker"]:
        torch_worker()
    else:
        main()
