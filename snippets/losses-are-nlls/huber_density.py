"""HuberLoss is the NLL of a spliced density, a Gaussian core with exponential tails, and of no Gaussian+Laplace mixture.

Chapter "Losses are negative log-likelihoods", the Huber row of the table, and
erratum 1: the source note calls Huber a Gaussian + Laplace mixture. A mixture's
NLL is smooth away from 0; Huber's has a jump in curvature at ±δ.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.distributions import Laplace, Normal

delta = 1.0
# residuals y - ŷ, in units of the scale
r = torch.linspace(-40, 40, 800001, dtype=torch.float64)
rho = nn.HuberLoss(delta=delta, reduction="none")(r, torch.zeros_like(r))

# %%
# --8<-- [start:density]
# HuberLoss is eq. (7): ½r² inside |r| ≤ δ, δ(|r| − ½δ) outside
eq7 = torch.where(r.abs() <= delta, r**2 / 2, delta * (r.abs() - delta / 2))
assert torch.allclose(rho, eq7), "HuberLoss matches eq. (7)"
Phi = Normal(0.0, 1.0).cdf(torch.tensor(delta, dtype=torch.float64))
Z = math.sqrt(2 * math.pi) * (2 * Phi - 1) + 2 / delta * math.exp(
    -(delta**2) / 2
)
density = torch.exp(-rho) / Z  # p(r) ∝ exp(-ρ_δ(r))

dr = r[1] - r[0]
assert torch.isclose(
    torch.trapezoid(density, dx=dr), torch.tensor(1.0, dtype=torch.float64)
), "Z normalises"
nll = -torch.log(density)
assert torch.allclose(nll, rho + math.log(Z)), "NLL = HuberLoss + log Z"
# --8<-- [end:density]

# %% [markdown]
# Inside |r| < δ the density is a rescaled Gaussian, outside a rescaled Laplace
# with b = 1/δ. The splice shows in the curvature of the NLL: exactly 1 in the
# core, exactly 0 in the tails.

# %%
# --8<-- [start:splice]
core, tail = r.abs() < delta - 1e-3, (r.abs() > delta + 1e-3) & (r.abs() < 10)
gauss_ratio = density[core] / Normal(0.0, 1.0).log_prob(r[core]).exp()
assert torch.allclose(gauss_ratio, gauss_ratio[0]), (
    "the core is a Gaussian, rescaled"
)
curv = (rho[2:] - 2 * rho[1:-1] + rho[:-2]) / dr**2
assert torch.allclose(
    curv[core[1:-1]], torch.tensor(1.0, dtype=torch.float64), atol=1e-5
)
assert torch.allclose(
    curv[tail[1:-1]], torch.tensor(0.0, dtype=torch.float64), atol=1e-5
)
# --8<-- [end:splice]


# %% [markdown]
# Any mixture w·N(0, σ²) + (1 − w)·Laplace(0, b) has an NLL whose curvature is
# continuous at r = δ, so none of them can be Huber. Check a grid of mixtures.


# %%
# --8<-- [start:mixture]
def mixture_nll(x, w, sigma, b):
    logs = torch.stack(
        [
            math.log(w) + Normal(0.0, sigma).log_prob(x),
            math.log(1 - w) + Laplace(0.0, b).log_prob(x),
        ]
    )
    return -torch.logsumexp(logs, 0)


h = 1e-3
x = delta + h * torch.arange(-2, 3, dtype=torch.float64)  # 5 points around δ


def curvature_jump(f):
    """Curvature of f just left of δ minus its curvature just right of δ."""
    left = (f[2] - 2 * f[1] + f[0]) / h**2
    right = (f[4] - 2 * f[3] + f[2]) / h**2
    return left - right


for w in (0.1, 0.5, 0.9):
    for sigma in (0.5, 1.0, 2.0):
        for b in (0.5, 1.0, 2.0):
            jump = curvature_jump(mixture_nll(x, w, sigma, b))
            assert abs(jump) < 0.05, "a mixture's NLL has no jump at δ"
huber = nn.HuberLoss(delta=delta, reduction="none")(x, torch.zeros_like(x))
assert abs(curvature_jump(huber) - 1.0) < 1e-6, (
    "Huber's NLL jumps in curvature from 1 to 0 at δ"
)
# --8<-- [end:mixture]

# SmoothL1Loss is Huber divided by its threshold: a different scale, the same minimiser.
assert torch.allclose(
    nn.SmoothL1Loss(beta=0.5, reduction="none")(r, 0 * r),
    nn.HuberLoss(delta=0.5, reduction="none")(r, 0 * r) / 0.5,
)
print(f"Z(δ={delta}) = {Z:.5f}")

# %%
show = r.abs() <= 4
fig, (ax_d, ax_c) = plt.subplots(
    1, 2, figsize=(8, 3.2), num="huber-spliced-density"
)
ax_d.plot(
    r[show],
    density[show],
    color="C2",
    label="Huber: $e^{-\\rho_\\delta(r)}/Z$",
)
ax_d.plot(
    r[show],
    Normal(0.0, 1.0).log_prob(r[show]).exp(),
    color="C0",
    ls="--",
    label="Gaussian $\\sigma=1$",
)
ax_d.plot(
    r[show],
    Laplace(0.0, 1.0).log_prob(r[show]).exp(),
    color="C1",
    ls=":",
    label="Laplace $b=1$",
)
ax_d.axvspan(-delta, delta, color="C2", alpha=0.08)
ax_d.set(
    xlabel="residual $r = y - \\hat y$",
    ylabel="density",
    title=f"Spliced density ($\\delta$ = {delta:g})",
)
ax_d.legend(fontsize=8, loc="upper right")
xs = torch.linspace(-3, 3, 601, dtype=torch.float64)
hh = xs[1] - xs[0]
for curve, kwargs in [
    (
        nn.HuberLoss(delta=delta, reduction="none")(xs, 0 * xs),
        dict(color="C2", label="Huber NLL"),
    ),
    (
        mixture_nll(xs, 0.5, 1.0, 1.0),
        dict(color="C7", ls="--", label="mixture NLL, w = ½"),
    ),
]:
    ax_c.plot(
        xs[1:-1], (curve[2:] - 2 * curve[1:-1] + curve[:-2]) / hh**2, **kwargs
    )
ax_c.set(
    xlabel="residual $r$",
    ylabel="curvature of the NLL",
    title="Curvature: a jump only for Huber",
    ylim=(-0.3, 1.6),
)
ax_c.legend(fontsize=8)
plt.show()
