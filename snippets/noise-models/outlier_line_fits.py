"""A line fitted under five noise models to data with gross outliers: the Gaussian fit is dragged, the robust fits are not.

Chapter "Noise models side by side". Ten of a hundred points are shifted down
by 10 noise standard deviations. Each fit is the MLE under its noise model,
found by iteratively reweighted least squares with weights ψ(r)/r; the
non-convex Student-t and Cauchy fits start from the convex Huber fit, and a
grid over lines checks that they are global minima.
"""

# %%
import itertools
import math

import matplotlib.pyplot as plt
import torch
from torch.distributions import Cauchy, Laplace, Normal, StudentT

torch.manual_seed(0)
n, k = 100, 10
x = torch.linspace(-1, 1, n, dtype=torch.float64)
y_clean = 1 + 2 * x + torch.randn(n, dtype=torch.float64)  # σ = 1
outlier = torch.arange(n) >= n - k  # the last ten points, x > 0.8


def corrupt(shift):
    """The data with the outliers moved by `shift`."""
    return y_clean + shift * outlier


# %% [markdown]
# Each noise model, as the NLL of the residual (scales fixed at the noise
# level), and one fitting routine for all of them.

# %%
# --8<-- [start:fit]
nu, delta = 3.0, 1.345
nll = {
    "Gaussian": lambda r: -Normal(0.0, 1.0).log_prob(r),
    "Laplace": lambda r: -Laplace(0.0, 1.0).log_prob(r),
    "Huber": lambda r: torch.where(
        r.abs() <= delta, r**2 / 2, delta * (r.abs() - delta / 2)
    ),  # + log Z(δ), which no gradient sees
    "Student-t": lambda r: -StudentT(nu, 0.0, 1.0).log_prob(r),
    "Cauchy": lambda r: -Cauchy(0.0, 1.0).log_prob(r),
}
X = torch.stack([torch.ones(n, dtype=torch.float64), x], 1)


def psi(model, r):
    r = r.detach().requires_grad_()
    return torch.autograd.grad(nll[model](r).sum(), r)[0]


def fit(model, y, start=None, steps=500):
    """(intercept, slope) by IRLS: each step is least squares with
    weights ψ(r)/r, so at a fixed point Σ ψ(rᵢ)·(1, xᵢ) = 0.
    y may hold a batch of data sets, shape (..., n)."""
    theta = torch.zeros(*y.shape[:-1], 2, dtype=torch.float64)
    if start is not None:
        theta = start
    for _ in range(steps):
        r = y - theta @ X.T
        r = torch.where(r.abs() < 1e-12, 1e-12, r)  # Laplace: ψ(0)/0
        w = psi(model, r) / r
        A = X.T @ (w[..., :, None] * X)
        new = torch.linalg.solve(A, ((w * y)[..., None, :] @ X)[..., 0, :])
        done = (new - theta).abs().max() < 1e-13
        theta = new
        if done:
            break
    return theta


def fit_all(y):
    """All five fits; the two non-convex ones start from the Huber fit."""
    fits = {model: fit(model, y) for model in ("Gaussian", "Laplace", "Huber")}
    for model in ("Student-t", "Cauchy"):
        fits[model] = fit(model, y, start=fits["Huber"])
    return fits


# --8<-- [end:fit]

# %% [markdown]
# The fits are MLEs. For the four smooth NLLs the score equations hold; for
# the convex Gaussian and Huber NLLs that makes them global minima, for the
# Student-t and Cauchy only stationary points, so a grid of lines checks
# those two. The Laplace (least absolute deviations) line is the best of the
# 4950 lines through two data points, one of which is always an L1 optimum.

# %%
y = corrupt(-10.0)
fits = fit_all(y)
for model in ("Gaussian", "Huber", "Student-t", "Cauchy"):
    score = X.T @ psi(model, y - X @ fits[model])
    assert score.abs().max() < 1e-9, f"{model}: score equations hold"


# --8<-- [start:global]
def total_nll(model, theta, y):
    """Σᵢ ρ(yᵢ − θ₀ − θ₁xᵢ) for a grid of lines θ, shape (..., 2)."""
    return nll[model](y - theta @ X.T).sum(-1)


step = 0.2
for shift in (-10.0, -20.0):
    y_s = corrupt(shift)
    fits_s = fit_all(y_s)
    # every line whose values at x = −1 and x = 1 lie within 5 of the data
    lo, hi = y_s.min().item() - 5, y_s.max().item() + 5
    ends = torch.arange(lo, hi, step, dtype=torch.float64)
    left, right = torch.meshgrid(ends, ends, indexing="ij")
    lines = torch.stack([(left + right) / 2, (right - left) / 2], -1)
    for model in ("Student-t", "Cauchy"):
        grid = total_nll(model, lines, y_s)
        best = lines.reshape(-1, 2)[grid.argmin()]
        assert grid.min() > total_nll(model, fits_s[model], y_s), (
            f"{model}: no line on the grid beats the IRLS fit"
        )
        gap = (X[[0, -1]] @ (best - fits_s[model])).abs().max()
        assert gap < step, f"{model}: the best grid line is next to it"
# --8<-- [end:global]

# A redescending NLL can have other minima. With the outliers 30 away, IRLS
# for the Cauchy started near a steep line through the outliers stays there,
# at a local minimum 265 nats worse than the one reached from the Huber fit.
y_30 = corrupt(-30.0)
good = fit("Cauchy", y_30, start=fit("Huber", y_30))
bad = fit("Cauchy", y_30, start=torch.tensor([-10.0, -16.0]).double())
hessian = torch.autograd.functional.hessian(
    lambda t: total_nll("Cauchy", t, y_30), bad
)
assert (X.T @ psi("Cauchy", y_30 - X @ bad)).abs().max() < 1e-9
assert (torch.linalg.eigvalsh(hessian) > 0).all(), "a local minimum"
worse = total_nll("Cauchy", bad, y_30) - total_nll("Cauchy", good, y_30)
assert math.isclose(worse, 265.1, abs_tol=0.1), "a much worse local minimum"
pairs = torch.tensor(list(itertools.combinations(range(n), 2)))
i, j = pairs[:, 0], pairs[:, 1]
slopes = (y[j] - y[i]) / (x[j] - x[i])
lines = torch.stack([y[i] - slopes * x[i], slopes], 1)
l1 = (y[None, :] - lines @ X.T).abs().mean(1)
assert torch.allclose(fits["Laplace"], lines[l1.argmin()], atol=1e-9), (
    "IRLS finds the exact L1 line"
)

# %% [markdown]
# The drag. Least squares is linear in y, so the Gaussian fit moves by exactly
# the least-squares fit to the corruption d: Δθ = (XᵀX)⁻¹Xᵀd.

# %%
# --8<-- [start:drag]
def at(theta, where):
    """The fitted line's value at x = where."""
    return (theta[0] + theta[1] * where).item()


true = torch.tensor([1.0, 2.0], dtype=torch.float64)
d = y - y_clean
drag = torch.linalg.solve(X.T @ X, X.T @ d)
assert torch.allclose(fits["Gaussian"] - fit("Gaussian", y_clean), drag)
# XᵀX is diagonal because Σx = 0: intercept k·shift/n, slope shift·Σx_out/Σx²
assert math.isclose(drag[0], k * -10.0 / n)
assert math.isclose(drag[1], -10.0 * x[outlier].sum() / (x**2).sum())
assert math.isclose(at(drag, 1.0), -3.6733, abs_tol=1e-4), "pulled down"
for model in ("Laplace", "Huber", "Student-t", "Cauchy"):
    for where in (-1.0, 1.0):
        assert abs(at(fits[model] - true, where)) < 1.0, (
            f"{model} stays within one noise σ of the true line"
        )
assert abs(at(fits["Gaussian"] - true, 1.0)) > 3.0

# Twice as gross: the Gaussian drag doubles, Laplace and Huber do not move
# (their pull is saturated at 1/b and δ), Student-t and Cauchy move back.
fits2 = fit_all(corrupt(-20.0))
clean = fit_all(y_clean)
assert torch.allclose(fits2["Gaussian"] - clean["Gaussian"], 2 * drag)
for model in ("Laplace", "Huber"):
    assert torch.allclose(fits2[model], fits[model], atol=1e-9), (
        f"{model}: bounded influence, the fit ignores how gross they are"
    )
for model in ("Student-t", "Cauchy"):
    moved = [
        max(abs(at(f[model] - clean[model], e)) for e in (-1.0, 1.0))
        for f in (fits, fits2)
    ]
    assert moved[1] < moved[0] < 0.3, f"{model}: redescending"
# --8<-- [end:drag]
for model, drop in (("Laplace", 0.888), ("Huber", 0.930)):
    moved = at(fits[model] - clean[model], 1.0)  # the outliers' leverage
    assert math.isclose(-moved, drop, abs_tol=1e-3), f"{model} still drops"
for model, theta in fits.items():
    print(
        f"{model:9s} intercept {theta[0]:.3f} slope {theta[1]:.3f}; "
        f"off the true line at x=1 by {at(theta - true, 1.0):+.3f}, "
        f"moved by outliers {at(theta - clean[model], 1.0):+.3f}"
    )

# %%
colors = {
    "Gaussian": "C0",
    "Laplace": "C1",
    "Huber": "C2",
    "Student-t": "C3",
    "Cauchy": "C4",
}
fig, (ax_f, ax_p) = plt.subplots(
    1, 2, figsize=(8.6, 3.6), num="noise-outlier-lines"
)
ax_f.plot(x[~outlier], y[~outlier], "o", color="C7", ms=3, label="data")
ax_f.plot(x[outlier], y[outlier], "x", color="k", ms=5, label="outliers")
ax_f.plot(x, 1 + 2 * x, color="k", ls="--", lw=1.2, label="true line")
for model, c in colors.items():
    ax_f.plot(x, X @ fits[model], color=c, label=model)
ax_f.set(xlabel="$x$", ylabel="$y$", title="Fitted lines")
ax_f.legend(fontsize=7, loc="lower left", ncol=2)
shifts = torch.linspace(0, 30, 61, dtype=torch.float64)
batch = y_clean - shifts[:, None] * outlier  # outliers moved down
fits_batch = fit_all(batch)
for model, c in colors.items():
    moved = fits_batch[model] - clean[model]
    ax_p.plot(shifts, -(moved[:, 0] + moved[:, 1]), color=c, label=model)
ax_p.axvline(10, color="k", lw=0.8, ls=":")
ax_p.set(
    xlabel="how far the outliers were moved down (noise $\\sigma$'s)",
    ylabel="drop of the fitted line at $x = 1$",
    title="Drag as the outliers get grosser",
    ylim=(-0.2, 4),
)
ax_p.legend(fontsize=7, loc="upper left")
plt.show()
