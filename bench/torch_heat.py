#!/usr/bin/env python3
"""bench/torch_heat.py - the PyTorch peer of configs/heat1d.cfg for make bench:
the same problem (u_t = 0.4 u_xx on [0,1]^2, u(x,0) = sin(pi x), u = 0 at
x = 0, 1), net (2-20-20-20-1 tanh, Glorot normal, zero biases, inputs scaled
to [-1, 1]), point counts (Sobol: 2540 interior, 40 + 40 boundary, 160
initial), losses (three mean squares, weight 1) and optimisers (Adam lr 1e-3,
then torch.optim.LBFGS with a strong Wolfe line search), derivatives by
torch.autograd. Not a test.

Prints one line per dtype:
  torch DTYPE threads T adam_ms MED adam_cpu_ms CPU l2_1e-2_s S l2_1e-3_s S final_l2 E adam_steps N
        lbfgs_iters M seconds S capped 0|1
where adam_ms is the median of per-step wall times, adam_cpu_ms the median
of per-step process CPU times (the step alone, without the every-100-step
error check; robust on a shared machine), the *_s are training seconds
(rel L2 checked on a 101 x 101 grid every 100 steps, as pinn's log_every=100
does) until rel L2 first reaches the bound (nan: never); --max-seconds stops
training early (capped 1) to bound the benchmark's time."""
import argparse
import math
import statistics
import time

import torch

ALPHA = 0.4


def sobol(n, dim, skip=1):
    eng = torch.quasirandom.SobolEngine(dim, scramble=False)
    if skip:
        eng.fast_forward(skip)  # the all-zero first point
    return eng.draw(n, dtype=torch.float64)


class Net(torch.nn.Module):
    def __init__(self, widths):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        for lin in self.layers:
            torch.nn.init.xavier_normal_(lin.weight)
            torch.nn.init.zeros_(lin.bias)

    def forward(self, x):
        z = 2.0 * x - 1.0  # [0, 1]^2 -> [-1, 1]^2, as pinn's scale_inputs
        for lin in self.layers[:-1]:
            z = torch.tanh(lin(z))
        return self.layers[-1](z)


def make_points(dtype):
    xi = sobol(2540, 2).to(dtype)
    tb = sobol(40, 1).to(dtype)
    xb = torch.cat([torch.cat([torch.zeros_like(tb), tb], 1),
                    torch.cat([torch.ones_like(tb), tb], 1)])
    x0 = sobol(160, 1).to(dtype)
    xinit = torch.cat([x0, torch.zeros_like(x0)], 1)
    u0 = torch.sin(math.pi * x0)
    g = torch.linspace(0, 1, 101, dtype=dtype)
    tt, xx = torch.meshgrid(g, g, indexing="ij")
    grid = torch.stack([xx.reshape(-1), tt.reshape(-1)], 1)
    exact = torch.exp(-ALPHA * math.pi ** 2 * grid[:, 1:]) * torch.sin(math.pi * grid[:, :1])
    return xi, xb, xinit, u0, grid, exact


def loss_fn(net, xi, xb, xinit, u0):
    x = xi.clone().requires_grad_(True)
    u = net(x)
    du = torch.autograd.grad(u.sum(), x, create_graph=True)[0]
    ux, ut = du[:, :1], du[:, 1:]
    uxx = torch.autograd.grad(ux.sum(), x, create_graph=True)[0][:, :1]
    pde = ((ut - ALPHA * uxx) ** 2).mean()
    bc = (net(xb) ** 2).mean()
    ic = ((net(xinit) - u0) ** 2).mean()
    return pde + bc + ic


def rel_l2(net, grid, exact):
    with torch.no_grad():
        d = net(grid) - exact
        return (d.norm() / exact.norm()).item()


def run(dtype, threads, adam_steps, lbfgs_iters, seed, cap):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    net = Net([2, 20, 20, 20, 1]).to(dtype)
    xi, xb, xinit, u0, grid, exact = make_points(dtype)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    hit = {1e-2: math.nan, 1e-3: math.nan}
    seconds, step_ms, step_cpu, err = 0.0, [], [], math.nan

    def check(at):
        nonlocal err
        err = rel_l2(net, grid, exact)
        for b in hit:
            if math.isnan(hit[b]) and err <= b:
                hit[b] = at

    capped = 0
    for it in range(adam_steps):
        if seconds > cap:
            capped, adam_steps = 1, it
            break
        t0 = time.perf_counter()
        if it % 100 == 0:
            check(seconds)
        c0 = time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net, xi, xb, xinit, u0)
        loss.backward()
        opt.step()
        dc = time.process_time() - c0
        dt = time.perf_counter() - t0
        seconds += dt
        if it >= 10:
            step_ms.append(1e3 * dt)
            step_cpu.append(1e3 * dc)
    done = 0
    if lbfgs_iters > 0 and not capped:
        lb = torch.optim.LBFGS(net.parameters(), lr=1.0, max_iter=100, history_size=50,
                               tolerance_grad=1e-12, tolerance_change=1e-14,
                               line_search_fn="strong_wolfe")

        def closure():
            lb.zero_grad(set_to_none=True)
            loss = loss_fn(net, xi, xb, xinit, u0)
            loss.backward()
            return loss

        while done < lbfgs_iters:
            if seconds > cap:
                capped = 1
                break
            t0 = time.perf_counter()
            check(seconds)
            lb.param_groups[0]["max_iter"] = min(100, lbfgs_iters - done)
            before = lb.state[lb._params[0]].get("n_iter", 0)
            lb.step(closure)
            after = lb.state[lb._params[0]].get("n_iter", 0)
            seconds += time.perf_counter() - t0
            if after == before:  # converged: LBFGS made no iteration
                break
            done += after - before
    check(seconds)
    name = "float64" if dtype == torch.float64 else "float32"
    med = statistics.median(step_ms) if step_ms else math.nan
    cpu = statistics.median(step_cpu) if step_cpu else math.nan
    print(f"torch {name} threads {threads} adam_ms {med:.3f} adam_cpu_ms {cpu:.3f} l2_1e-2_s {hit[1e-2]:.2f} "
          f"l2_1e-3_s {hit[1e-3]:.2f} final_l2 {err:.3e} adam_steps {adam_steps} "
          f"lbfgs_iters {done} seconds {seconds:.2f} capped {capped}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--adam", type=int, default=20000)
    ap.add_argument("--lbfgs", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-seconds", type=float, default=math.inf)
    ap.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    a = ap.parse_args()
    kinds = ["float64", "float32"] if a.dtype == "both" else [a.dtype]
    for k in kinds:
        run(torch.float64 if k == "float64" else torch.float32, a.threads, a.adam, a.lbfgs,
            a.seed, a.max_seconds)


if __name__ == "__main__":
    main()
