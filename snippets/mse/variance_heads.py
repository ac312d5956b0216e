"""Softplus plus a floor keeps a variance head finite; squaring and a bare exp do not.

Chapter "Mean squared error": a network that outputs a variance must make it
positive. Squaring a raw output allows σ² = 0 (an infinite loss), and exp
overflows at one end and divides by almost nothing at the other. A softplus
with a small floor, or a log-variance that is clamped, stays finite; the floor
also stops the NLL from running off to −∞ on a point that is fitted exactly.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)  # what networks train in
a = (torch.arange(-1000, 1001) / 10).requires_grad_()  # raw outputs, 0 included
r = 0.37  # a residual y − μ
floor = 1e-6


def nll(var):
    """The Gaussian NLL of residual r under variance var, without ½log2π."""
    return 0.5 * (torch.log(var) + r**2 / var)


def finite_loss_and_grad(loss):
    """Whether the loss and d loss / d a are finite at every raw output a."""
    (grad,) = torch.autograd.grad(loss.sum(), a)
    return bool(loss.isfinite().all() and grad.isfinite().all())


# %%
# --8<-- [start:heads]
heads = {
    "square": a**2,                          # σ² = a²: zero at a = 0
    "exp": torch.exp(a),                     # σ² = e^a: overflows, underflows
    "softplus + floor": F.softplus(a) + floor,
}
ok = {name: finite_loss_and_grad(nll(var)) for name, var in heads.items()}
s = a.clamp(-10, 10)  # a log-variance head, clamped, in Kendall & Gal's form
ok["clamped log-variance"] = finite_loss_and_grad(0.5 * (torch.exp(-s) * r**2 + s))
# --8<-- [end:heads]
assert ok["softplus + floor"], "softplus + floor is finite for every raw output"
assert ok["clamped log-variance"], "a clamped log-variance is finite too"
assert not ok["square"], "squaring gives σ² = 0 and an infinite loss at a = 0"
assert not ok["exp"], "a bare exp overflows or divides by ~0 somewhere in [−100, 100]"
assert torch.isinf(nll(torch.exp(torch.tensor(100.0)))), "e^100 is inf in float32"
finite_exp = a[nll(heads["exp"]).isfinite()].detach()
exp_finite_from, exp_finite_to = finite_exp.min().item(), finite_exp.max().item()
assert -100 < exp_finite_from and exp_finite_to < 100, "exp fails at both ends"

# %%
# --8<-- [start:collapse]
r = 0.0  # a point the mean fits exactly
collapse_exp = nll(torch.exp(torch.tensor(-80.0))).item()  # σ² = e^-80
lowest_floor = nll(F.softplus(torch.tensor(-80.0)) + floor).item()
# --8<-- [end:collapse]
assert collapse_exp == -40.0, "without a floor the NLL falls as ½ log σ² → −∞"
assert abs(lowest_floor - 0.5 * math.log(floor)) < 1e-6, "the floor bounds it"
assert lowest_floor > -7, "at ½ log 1e-6 ≈ −6.9"

# %%
grid = torch.linspace(-6, 6, 601)
fig, ax = plt.subplots(num="mse-variance-heads", figsize=(6.4, 3.4), layout="constrained")
ax.plot(grid, grid**2, color="C7", label=r"$a^2$ (zero at $a=0$)")
ax.plot(grid, torch.exp(grid), color="k", ls="--", label=r"$e^{a}$")
ax.plot(grid, F.softplus(grid) + 0.01, color="C0", label=r"softplus$(a)$ + floor")
ax.axhline(0.01, color="C0", lw=0.8, ls=":", label="the floor (0.01 here, to be visible)")
ax.set_yscale("log")
ax.set_ylim(1e-4, 1e2)
ax.set_xlabel("raw network output $a$")
ax.set_ylabel(r"variance $\sigma^2$ (log scale)")
ax.legend(loc="lower right", fontsize="small")
plt.show()
