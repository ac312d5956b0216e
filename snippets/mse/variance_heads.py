"""Softplus plus a floor keeps a variance head finite; squaring and a bare exp do not.

Chapter "Mean squared error": a network that outputs a variance must make it
positive. Squaring a raw output allows σ² = 0 (an infinite loss) and its
gradient explodes as a → 0, and exp overflows at one end and divides by almost
nothing at the other. A softplus
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
exp_loss = nll(torch.exp(a))  # a fresh graph: finite_loss_and_grad used the first
(exp_grad,) = torch.autograd.grad(exp_loss.sum(), a)
finite_loss = a[exp_loss.isfinite()].detach()  # the loss alone
finite_both = a[exp_loss.isfinite() & exp_grad.isfinite()].detach()  # loss and gradient
exp_loss_from, exp_finite_to = finite_loss.min().item(), finite_loss.max().item()
exp_finite_from = finite_both.min().item()  # the gradient fails first on the left
assert finite_both.max().item() == exp_finite_to, "on the right both fail together"
assert -100 < exp_loss_from and exp_finite_to < 100, "exp fails at both ends"
assert exp_loss_from < exp_finite_from - 40, "the gradient fails ~twice as early: e^(2a)"

# %%
# --8<-- [start:square_grad]
def square_grad(a0):
    """d loss / d a for the squaring head σ² = a², in float64."""
    a_ = torch.tensor(a0, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(nll(a_**2), a_)
    return g.item()


square_grads = [square_grad(a0) for a0 in (0.3, 0.1, 0.03, 0.01)]
# --8<-- [end:square_grad]
square_grad_01, square_grad_001 = square_grads[1], square_grads[3]
for a0, g in zip((0.3, 0.1, 0.03, 0.01), square_grads):
    exact = 1 / a0 - r**2 / a0**3  # 2a · ½(1/σ² − r²/σ⁴) at σ² = a²
    assert abs(g - exact) < 1e-9 * abs(exact), f"dℓ/da = 1/a − r²/a³ at a = {a0}"
assert all(abs(g2) > 10 * abs(g1) for g1, g2 in zip(square_grads, square_grads[1:])), \
    "near a = 0 the squaring head's gradient grows (like r²/a³), it does not vanish"
assert all(g < 0 for g in square_grads), "and it pushes a away from 0 (σ² up toward r²)"

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
