"""Influence ψ = ρ′: linear for the Gaussian, bounded for Laplace and Huber, redescending for Student-t and Cauchy.

Chapter "Noise models side by side". For each of five noise models the NLL ρ(r)
of the residual r = y − ŷ is differentiated by autograd, and the shape of
ψ(r) = ρ′(r), how hard a point with residual r pulls on the fit, is checked.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.distributions import Cauchy, Laplace, Normal, StudentT


def huber_log_z(delta):
    """log of Z(δ) = √(2π)(2Φ(δ) − 1) + (2/δ) exp(−δ²/2), chapter 3's (8)."""
    phi = Normal(0.0, 1.0).cdf(torch.tensor(delta, dtype=torch.float64))
    z = math.sqrt(2 * math.pi) * (2 * phi - 1) + 2 / delta * math.exp(
        -(delta**2) / 2
    )
    return math.log(z)


# %% [markdown]
# Each noise model's NLL as a function of the residual, constants kept, and its
# influence ψ = dρ/dr by autograd.

# %%
# --8<-- [start:nll]
def nll(model, r, scale=1.0, nu=3.0):
    """ρ(r) = −log p(r) for a noise model centred at 0."""
    if model == "Gaussian":
        return -Normal(0.0, scale).log_prob(r)
    if model == "Laplace":
        return -Laplace(0.0, scale).log_prob(r)
    if model == "Huber":  # scale plays the role of δ
        huber = nn.HuberLoss(delta=scale, reduction="none")
        return huber(r, torch.zeros_like(r)) + huber_log_z(scale)
    if model == "Student-t":
        return -StudentT(nu, 0.0, scale).log_prob(r)
    if model == "Cauchy":
        return -Cauchy(0.0, scale).log_prob(r)
    raise ValueError(model)


def psi(model, r, **kw):
    """The influence ψ(r) = ρ′(r), by autograd."""
    r = r.detach().requires_grad_()
    (grad,) = torch.autograd.grad(nll(model, r, **kw).sum(), r)
    return grad


# --8<-- [end:nll]

# %% [markdown]
# The rows of the chapter's table, constants included. The Student-t
# constant is log(s·√(νπ)·Γ(ν/2)/Γ((ν+1)/2)); Huber's density integrates to 1.

# %%
# --8<-- [start:table]
r = torch.linspace(-50, 50, 200001, dtype=torch.float64)
for s in (0.5, 1.0, 2.0):
    table = {
        "Gaussian": r**2 / (2 * s**2) + 0.5 * math.log(2 * math.pi * s**2),
        "Laplace": r.abs() / s + math.log(2 * s),
        "Cauchy": torch.log1p(r**2 / s**2) + math.log(math.pi * s),
    }
    for model, rho in table.items():
        assert torch.allclose(nll(model, r, scale=s), rho), f"{model} row"
    for nu in (1.0, 3.0, 10.0):
        log_norm = (
            math.log(s * math.sqrt(nu * math.pi))
            + math.lgamma(nu / 2)
            - math.lgamma((nu + 1) / 2)
        )
        rho = (nu + 1) / 2 * torch.log1p(r**2 / (nu * s**2)) + log_norm
        assert torch.allclose(nll("Student-t", r, scale=s, nu=nu), rho), (
            "Student-t row, with its constant"
        )
for delta in (0.5, 1.0, 1.345):
    rho_delta = torch.where(
        r.abs() <= delta, r**2 / 2, delta * (r.abs() - delta / 2)
    )
    rho = nll("Huber", r, scale=delta)
    assert torch.allclose(rho, rho_delta + huber_log_z(delta)), "Huber row"
    mass = torch.trapezoid(torch.exp(-rho), r).item()
    assert math.isclose(mass, 1.0, rel_tol=1e-8), "Huber's density: mass 1"
# --8<-- [end:table]

# %% [markdown]
# The shapes, for several scales so that the bounds are not all 1.

# %%
# --8<-- [start:shapes]
r = torch.linspace(0, 100, 100001, dtype=torch.float64)[1:]  # r > 0
step = (r[1] - r[0]).item()
for sigma in (0.5, 1.0, 2.0):  # Gaussian: ψ = r/σ², linear and unbounded
    assert torch.allclose(psi("Gaussian", r, scale=sigma), r / sigma**2), (
        "Gaussian: ψ = r/σ²"
    )
for b in (0.5, 1.0, 2.0):  # Laplace: ψ = sign(r)/b, bounded by 1/b
    assert torch.allclose(psi("Laplace", r, scale=b), 1 / b + 0 * r), (
        "Laplace: every point with r > 0 pulls with the same force 1/b"
    )
for delta in (0.5, 1.0, 1.345):  # Huber: ψ = clamp(r, −δ, δ), bounded by δ
    p = psi("Huber", r, scale=delta)
    assert torch.allclose(p, r.clamp(max=delta)), "Huber: ψ = min(r, δ)"
    assert p.max() == delta, "Huber's pull is at most δ"
for nu, s in ((3.0, 1.0), (4.0, 0.5), (10.0, 2.0)):
    p = psi("Student-t", r, scale=s, nu=nu)
    assert torch.allclose(p, (nu + 1) * r / (nu * s**2 + r**2)), "t: ψ formula"
    peak, height = s * math.sqrt(nu), (nu + 1) / (2 * s * math.sqrt(nu))
    r_peak = torch.tensor([peak], dtype=torch.float64)
    at_peak = psi("Student-t", r_peak, scale=s, nu=nu).item()
    assert abs(r[p.argmax()] - peak) <= step, "Student-t: peak at s√ν"
    assert math.isclose(at_peak, height) and p.max() <= height + 1e-12, (
        "Student-t: peak height (ν+1)/(2s√ν)"
    )
    assert (p[r > peak].diff() < 0).all(), "and it redescends beyond"
    assert (p < (nu + 1) / r).all(), "towards 0, like (ν+1)/r"
for s in (0.5, 1.0, 2.0):
    p = psi("Cauchy", r, scale=s)
    assert torch.allclose(p, 2 * r / (s**2 + r**2)), "Cauchy: ψ formula"
    at_peak = psi("Cauchy", torch.tensor([s], dtype=torch.float64), scale=s)
    at_peak = at_peak.item()
    assert abs(r[p.argmax()] - s) <= step, "Cauchy: peak at r = s"
    assert math.isclose(at_peak, 1 / s) and p.max() <= 1 / s + 1e-12, (
        "of height 1/s"
    )
    assert (p[r > s].diff() < 0).all(), "redescending beyond s"
    assert (p < 2 / r).all(), "towards 0, like 2/r: gross outliers ignored"
# --8<-- [end:shapes]
print(
    "Student-t ν=3, s=1: peak ψ = "
    f"{psi('Student-t', torch.tensor([math.sqrt(3)])).item():.4f} at √3"
)

# %% [markdown]
# A residual of 100 scales is rare under a Student-t with ν = 3 too, but it
# is cheap: it costs ((ν+1)/2)·log(1 + 10⁴/ν) ≈ 16.2 nats more than r = 0,
# against 5000 under the Gaussian, and it pulls with ψ ≈ 0.04 against 100.

# %%
# --8<-- [start:far-point]
nu, s = 3.0, 1.0
far, zero = torch.tensor([100 * s, 0.0], dtype=torch.float64)
cost = {
    m: (nll(m, far, scale=s, nu=nu) - nll(m, zero, scale=s, nu=nu)).item()
    for m in ("Gaussian", "Student-t")
}
assert math.isclose(cost["Gaussian"], 5000.0), "Gaussian: r²/2 = 5000 nats"
assert math.isclose(cost["Student-t"], (nu + 1) / 2 * math.log1p(1e4 / nu)), (
    "Student-t: (ν+1)/2 · log(1 + 10⁴/ν) nats"
)
assert math.isclose(cost["Student-t"], 16.22, abs_tol=5e-3), "only 16.2 nats"
pull = psi("Student-t", far[None], scale=s, nu=nu).item()
assert math.isclose(pull, 0.0400, abs_tol=5e-5), "ψ(100s) ≈ 0.04/s, not 100/s"
# P(|r| > 100s): with r = 100s/u the tail is a smooth integral over (0, 1]
u = torch.linspace(0, 1, 2001, dtype=torch.float64)[1:]
density = torch.exp(-nll("Student-t", 100 * s / u, scale=s, nu=nu))
tail = 2 * torch.trapezoid(density * 100 * s / u**2, u).item()
assert math.isclose(tail, 2.2e-6, rel_tol=0.01), "rare too: P ≈ 2.2e-6"
# --8<-- [end:far-point]
cost_t, pull_ratio = cost["Student-t"], 100 / pull  # quoted on the page
tail_millionths = tail * 1e6
print(f"r = 100s under t(3): costs {cost['Student-t']:.2f} nats "
      f"(Gaussian {cost['Gaussian']:.0f}), ψ = {pull:.4f}, P = {tail:.3g}")

# %%
delta = 1.345  # Huber's classical threshold; every other scale is 1
style = {
    "Gaussian": ("C0", "Gaussian $\\sigma=1$", 1.0),
    "Laplace": ("C1", "Laplace $b=1$", 1.0),
    "Huber": ("C2", f"Huber $\\delta={delta}$", delta),
    "Student-t": ("C3", "Student-t $\\nu=3$, $s=1$", 1.0),
    "Cauchy": ("C4", "Cauchy $s=1$", 1.0),
}
x = torch.linspace(-6, 6, 1201, dtype=torch.float64)
zero = torch.zeros(1, dtype=torch.float64)
fig, (ax_d, ax_l, ax_p) = plt.subplots(
    1, 3, figsize=(8.6, 3.3), num="noise-influence", layout="constrained"
)
for model, (c, label, scale) in style.items():
    rho = nll(model, x, scale=scale)
    ax_d.plot(x, torch.exp(-rho), color=c, label=label)
    ax_l.plot(x, rho - nll(model, zero, scale=scale), color=c)
    ax_p.plot(x, psi(model, x, scale=scale), color=c)
# the two peaks, drawn on top and labelled in their model's colour: the
# Cauchy's sits at (1, 1), where the Gaussian, Laplace and Huber curves meet
peak_style = dict(ms=8, mfc="white", mew=2, zorder=5, ls="none", marker="o")
ax_p.plot(math.sqrt(3), 2 / math.sqrt(3), mec="C3", **peak_style)
ax_p.plot(1.0, 1.0, mec="C4", **peak_style)
ax_p.annotate(
    "Student-t peak\nat $s\\sqrt{\\nu} = \\sqrt{3}$",
    xy=(math.sqrt(3), 2 / math.sqrt(3)),
    xytext=(2.3, 2.05),
    fontsize=8,
    color="C3",
    arrowprops=dict(arrowstyle="->", lw=0.8, color="C3"),
)
ax_p.annotate(
    "Cauchy peak\nat $s = 1$",
    xy=(1.0, 1.0),
    xytext=(2.3, -1.6),
    fontsize=8,
    color="C4",
    arrowprops=dict(arrowstyle="->", lw=0.8, color="C4"),
)
ax_d.set(
    xlabel="residual $r = y - \\hat y$",
    ylabel="density $p(r)$",
    title="Noise model",
    yscale="log",
    ylim=(1e-5, 1),
)
ax_l.set(
    xlabel="residual $r$",
    ylabel="$\\rho(r) - \\rho(0)$",
    title="Loss: the NLL",
    ylim=(0, 8),
)
ax_p.set(
    xlabel="residual $r$",
    ylabel="$\\psi(r) = \\rho'(r)$",
    title="Influence: the pull on the fit",
    ylim=(-3, 3),
)
ax_d.legend(fontsize=7, loc="lower center")
plt.show()
