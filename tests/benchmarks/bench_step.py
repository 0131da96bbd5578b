"""Benchmark: one full-batch gradient step, against PyTorch's CPU autograd measured in the same run.

Workload: a [2, 16, 16, 3] network, tanh hidden layers, softmax output, cross-entropy loss, on the
5,000 samples of the "blobs" dataset (3 classes, seed 0): cost, gradient and the update
theta <- theta - 0.1 dJ/dtheta.

Variants, interleaved round by round so a burst of load elsewhere hits all of them alike:

* plain: ``Network.backward`` + concatenate + ``set_parameter_vector`` (what GradientDescent does);
* fast: ``core.fast_step.StepWorkspace.gradient`` + the same update (BLAS held to one thread, the
  default, and with BLAS's own threading for comparison);
* torch: float64 tensors with the same weights and data, ``torch.addmm`` + ``tanh`` +
  ``cross_entropy`` + ``autograd.grad`` + an in-place update, at torch's default thread count and at
  one thread (float32 is printed for information: it is not the same computation).

Reference: torch float64 at whichever thread count is faster (the harder bar). Goal: fast/torch <= 0.5.
torch is *not* a dependency: without it the script says so and still compares fast with plain.
The gradients are compared (max abs difference) before anything is timed.

Run by hand or by ``make bench``: ``python tests/benchmarks/bench_step.py``. The last line is
``ratio fast/torch: R (goal <= 0.5)``.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

SIZES = [2, 16, 16, 3]
ACTIVATIONS = ["tanh", "tanh", "softmax"]
SAMPLES = 5000
RATE = 0.1
ROUNDS = 15       # interleaved rounds
PER_ROUND = 40    # steps per variant per round


def per_step_times(step, count):
    out = []
    clock = time.perf_counter
    for _ in range(count):
        t0 = clock()
        step()
        out.append(clock() - t0)
    return out


def minor_faults_per_step(step, count=200):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(count):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / count


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import numpy as np

    import core
    from core.fast_step import StepWorkspace, blas_thread_limit, blas_threads

    data = core.load_dataset("blobs", n=SAMPLES, seed=0)
    X, Y = np.asarray(data.X, dtype=np.float64), np.asarray(data.y, dtype=np.float64)
    base = core.Network(SIZES, ACTIVATIONS, "cross_entropy", seed=0)

    # ---- plain: the current path
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

    # ---- fast: the workspace, same update
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

    variants = {"plain": plain_step, "plain, BLAS 1 thread": plain_step_one_thread,
                "fast (BLAS 1 thread)": fast_step, "fast, BLAS default threads": fast_step_blas_default}

    # ---- torch (optional)
    try:
        import torch
    except ImportError:
        torch = None
    torch_note = ""
    if torch is not None:
        default_threads = torch.get_num_threads()
        labels = torch.from_numpy(np.argmax(Y, axis=1))
        assert np.array_equal(np.eye(3)[labels.numpy()], Y), "blobs targets are one-hot"

        def make_torch(dtype, threads):
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

            def torch_step():
                grads = torch.autograd.grad(loss_fn(), params)
                with torch.no_grad():
                    for p, g in zip(params, grads):
                        p.sub_(g, alpha=RATE)
            torch_step.threads = threads  # set once per round, not per step
            return params, loss_fn, torch_step

        # Same gradient before any timing: the numbers must agree, not just the shapes.
        params, loss_fn, _ = make_torch(torch.float64, default_threads)
        loss = loss_fn()
        grads = torch.autograd.grad(loss, params)
        flat_torch = np.concatenate([g.detach().numpy().ravel() for g in grads])
        check = StepWorkspace(base, X, Y)
        cost_ws, grad_ws = check.gradient()
        grad_net = base.gradient_vector(X, Y)
        print(f"gradient check: max |fast - torch| = {np.max(np.abs(grad_ws - flat_torch)):.2e}, "
              f"max |fast - Network| = {np.max(np.abs(grad_ws - grad_net)):.2e}, "
              f"|cost fast - torch| = {abs(cost_ws - float(loss)):.2e} (max |gradient| "
              f"{np.max(np.abs(grad_net)):.2e})")
        if not np.allclose(grad_ws, flat_torch, rtol=1e-10, atol=1e-12):
            raise SystemExit("the gradients disagree: not timing")

        variants[f"torch float64, {default_threads} threads (default)"] = make_torch(torch.float64, default_threads)[2]
        if default_threads != 1:
            variants["torch float64, 1 thread"] = make_torch(torch.float64, 1)[2]
        variants[f"torch float32, {default_threads} threads (not the same computation)"] = \
            make_torch(torch.float32, default_threads)[2]
    else:
        torch_note = ("torch is not importable: it is optional (not a dependency of the app). "
                      "To compare with it: pip install torch (a CPU build is enough).")

    # ---- timing, interleaved
    def run(step, count):
        if torch is not None:
            torch.set_num_threads(getattr(step, "threads", default_threads))
        return per_step_times(step, count)

    for step in variants.values():  # warm-up: caches, BLAS threads, torch's allocator
        run(step, 20)
    samples = {name: [] for name in variants}
    for _ in range(ROUNDS):
        for name, step in variants.items():
            samples[name] += run(step, PER_ROUND)
    if torch is not None:
        torch.set_num_threads(default_threads)
    median = {name: float(np.median(t)) for name, t in samples.items()}
    best = {name: float(np.min(t)) for name, t in samples.items()}

    print(f"workload: {SIZES} network, {'/'.join(ACTIVATIONS)}, cross-entropy, {SAMPLES} samples "
          f"(blobs, 3 classes, seed 0); one step = cost + gradient + update")
    print(f"{ROUNDS * PER_ROUND} steps per variant, interleaved; median and best per step:")
    for name in variants:
        print(f"  {name:<58} {median[name] * 1e3:7.3f} ms   best {best[name] * 1e3:7.3f} ms")

    # ---- where the time goes
    print("where the fast step's time goes (median per step, each phase timed separately):")
    phases = ws.profile(300)
    for phase, seconds in phases.items():
        print(f"  {phase:<20} {seconds * 1e6:7.1f} us")
    spare = base.copy()
    update = float(np.median(per_step_times(lambda: spare.set_parameter_vector(ws.parameters), 300)))
    print(f"  {'update + checks':<20} ~{update * 1e6:6.1f} us (set_parameter_vector; the checks are on "
          f"{ws.parameters.size} numbers)")
    faults_plain = minor_faults_per_step(plain_step)
    faults_fast = minor_faults_per_step(fast_step)
    print(f"page faults (ru_minflt) per step: plain {faults_plain:.1f}, fast {faults_fast:.1f} "
          f"(a fault costs roughly 0.1-0.25 us on top of zeroing its 4 kB page)")
    forward = float(np.median(per_step_times(lambda: net_plain.forward(X), 200)))
    print(f"plain: forward pass alone {forward * 1e3:.3f} ms of {median['plain'] * 1e3:.3f} ms; "
          f"with BLAS at 1 thread {median['plain, BLAS 1 thread'] * 1e3:.3f} ms "
          f"(what remains is fresh temporaries: page faults, allocation, (N, 3) row loops)")
    print(f"BLAS threads outside the workspace: {sorted(set(blas_threads().values())) or 'unknown'} "
          f"(threadpoolctl {'found' if blas_threads() else 'not found: no limit applied'})")
    print(f"ratio fast/plain: {median['fast (BLAS 1 thread)'] / median['plain']:.3f}")

    if torch is None:
        print(torch_note)
        return
    torch_names = [name for name in variants if name.startswith("torch float64")]
    ref = min(torch_names, key=lambda name: median[name])
    ref_best = min(best[name] for name in torch_names)
    fast = median["fast (BLAS 1 thread)"]
    print(f"reference: {ref} (the faster torch float64), {median[ref] * 1e3:.3f} ms")
    print(f"ratio plain/torch: {median['plain'] / median[ref]:.3f}")
    print(f"ratio fast/torch on best times: {best['fast (BLAS 1 thread)'] / ref_best:.3f}")
    ratio = fast / median[ref]
    print(f"ratio fast/torch: {ratio:.3f} (goal <= 0.5: {'met' if ratio <= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
