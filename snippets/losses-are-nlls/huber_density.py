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

# residuals y - ŷ, in units of the scale
r = torch.linspace(-40, 40, 800001, dtype=torch.float64)
dr = r[1] - r[0]
h = 1e-3  # step for curvatures just either side of δ


def huber_Z(delta):
    """Eq. (8): the Gaussian core plus two exponential tails."""
    Phi = Normal(0.0, 1.0).cdf(torch.tensor(delta, dtype=torch.float64))
    core = math.sqrt(2 * math.pi) * (2 * Phi - 1)
    tails = 2 / delta * math.exp(-(delta**2) / 2)
    return core + tails


def curvature_jump(f):
    """Curvature of f just left of δ minus its curvature just right of δ."""
    left = (f[2] - 2 * f[1] + f[0]) / h**2
    right = (f[4] - 2 * f[3] + f[2]) / h**2
    return left - right


# %% [markdown]
# Every identity is checked at three thresholds, none of them 1: at δ = 1,
# 2/δ = 2δ and b = 1/δ = δ, so a wrong power of δ would go unseen.

# %%
for delta in (0.6, 1.345, 2.2):
    rho = nn.HuberLoss(delta=delta, reduction="none")(r, torch.zeros_like(r))
    # --8<-- [start:density]
    # HuberLoss is eq. (7): ½r² inside |r| ≤ δ, δ(|r| − ½δ) outside
    eq7 = torch.where(
        r.abs() <= delta, r**2 / 2, delta * (r.abs() - delta / 2)
    )
    assert torch.allclose(rho, eq7), "HuberLoss matches eq. (7)"
    Z = huber_Z(delta)
    density = torch.exp(-rho) / Z  # p(r) ∝ exp(-ρ_δ(r))
    mass = torch.trapezoid(density, dx=dr)
    assert torch.isclose(mass, torch.ones_like(mass), rtol=1e-9), (
        "Z(δ) from eq. (8) normalises"
    )
    nll = -torch.log(density)
    assert torch.allclose(nll, rho + math.log(Z)), "NLL = HuberLoss + log Z"
    # --8<-- [end:density]

    # --8<-- [start:splice]
    core = r.abs() < delta - 1e-3
    tail = (r.abs() > delta + 1e-3) & (r.abs() < 10)
    gauss_ratio = density[core] / Normal(0.0, 1.0).log_prob(r[core]).exp()
    assert torch.allclose(gauss_ratio, gauss_ratio[0]), (
        "the core is a standard Gaussian, rescaled"
    )
    laplace = Laplace(0.0, 1 / delta).log_prob(r[tail]).exp()
    laplace_ratio = density[tail] / laplace
    assert torch.allclose(laplace_ratio, laplace_ratio[0]), (
        "the tails are a Laplace with b = 1/δ, rescaled"
    )
    curv = (rho[2:] - 2 * rho[1:-1] + rho[:-2]) / dr**2
    one = torch.tensor(1.0, dtype=torch.float64)
    assert torch.allclose(curv[core[1:-1]], one, atol=1e-5), "curvature 1"
    assert torch.allclose(curv[tail[1:-1]], 0 * one, atol=1e-5), "then 0"
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


for delta in (0.6, 1.345, 2.2):
    x = delta + h * torch.arange(-2, 3, dtype=torch.float64)  # 5 points at δ
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

# %% [markdown]
# The Huber M-estimate of location need not lie between the sample mean and
# median: here the two clipped points cancel and the balance is set by the
# three points inside the core.

# %%
# --8<-- [start:example]
sample = torch.tensor([-100.0, 0.0, 0.0, 0.9, 10.0], dtype=torch.float64)
mu = torch.linspace(-1, 1, 20001, dtype=torch.float64)
total = nn.HuberLoss(delta=1.0, reduction="none")(
    sample[None, :].expand(len(mu), -1), mu[:, None].expand(-1, len(sample))
).sum(1)
huber_mu = mu[total.argmin()].item()
psi_sum = (sample - huber_mu).clamp(-1.0, 1.0).sum().item()
assert abs(psi_sum) < 1e-3, "the clipped residuals balance"
sample_median, sample_mean = sample.median().item(), sample.mean().item()
assert not (
    min(sample_median, sample_mean) <= huber_mu <= max(sample_median, sample_mean)
), "Huber's estimate lies outside [median, mean] here"
# --8<-- [end:example]

# SmoothL1Loss is Huber divided by its threshold: a different scale, the same minimiser.
for beta in (0.5, 1.7):
    assert torch.allclose(
        nn.SmoothL1Loss(beta=beta, reduction="none")(r, 0 * r),
        nn.HuberLoss(delta=beta, reduction="none")(r, 0 * r) / beta,
    ), "SmoothL1Loss(beta) = HuberLoss(delta=beta) / beta"

# %% [markdown]
# The figure shows δ = 1. There the density peaks at 1/Z(1), below the
# Gaussian's 1/√(2π) and the Laplace's ½, and lies above both beyond the
# residual where it crosses the Gaussian.

# %%
delta = 1.0
rho = nn.HuberLoss(delta=delta, reduction="none")(r, torch.zeros_like(r))
Z_one = huber_Z(delta)
density = torch.exp(-rho) / Z_one
gauss, lap = Normal(0.0, 1.0).log_prob(r).exp(), Laplace(0.0, 1.0).log_prob(r).exp()
above = (density > gauss) & (density > lap) & (r > 0)
cross = r[above].min().item()  # beyond here Huber is above both
assert above[r > cross].all(), "and stays above both further out"
assert 1 / Z_one < 1 / math.sqrt(2 * math.pi) < 0.5, "the lowest peak"
print(f"Z(1) = {Z_one:.5f}; above both densities beyond r = {cross:.3f}")

# %%
show = r.abs() <= 4
fig, (ax_d, ax_c) = plt.subplots(
    1, 2, figsize=(8, 3.2), num="huber-spliced-density", layout="constrained"
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
        dict(color="k", ls="--", label="mixture NLL, w = ½"),
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
