"""A Laplace prior gives the lasso, whose MAP has exact zeros; ridge has none.

Chapter "MLE vs MAP". With a Laplace(0, b) prior on each weight and Gaussian
noise of variance σ², the MAP minimises ½‖y - Xθ‖² + λ₁‖θ‖₁ with λ₁ = σ²/b.
Proximal gradient (ISTA) finds it with coefficients that are exactly 0, and
the KKT conditions certify it; ridge under a Gaussian prior zeroes nothing.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch.distributions import Laplace, Normal

SEED = 0
rng = np.random.default_rng(SEED)
N, D, sigma = 200, 10, 1.0
X = rng.normal(size=(N, D))
theta_true = np.zeros(D)
theta_true[:3] = [3.0, -2.0, 1.5]  # sparse: 7 of the 10 weights are 0
y = X @ theta_true + sigma * rng.normal(size=N)
b = 0.0125  # Laplace prior scale
lam1 = sigma**2 / b  # the lasso weight, 80

# %% [markdown]
# The negative log posterior, with `torch.distributions`, is the lasso
# objective divided by σ², plus a constant.

# %%
# --8<-- [start:objective]
Xt, yt = torch.tensor(X), torch.tensor(y)
const = N / 2 * math.log(2 * math.pi * sigma**2) + D * math.log(2 * b)
for _ in range(5):
    th = torch.tensor(rng.normal(size=D))
    neg_log_post = (
        -Normal(Xt @ th, sigma).log_prob(yt).sum()
        - Laplace(torch.zeros(D, dtype=torch.float64), b).log_prob(th).sum()
    )
    lasso_objective = 0.5 * ((yt - Xt @ th) ** 2).sum() + lam1 * th.abs().sum()
    assert torch.isclose(
        neg_log_post, lasso_objective / sigma**2 + const, rtol=1e-12
    ), "-log posterior = (½‖y-Xθ‖² + λ₁‖θ‖₁)/σ² + const, λ₁ = σ²/b"
# --8<-- [end:objective]

# %% [markdown]
# ISTA: a gradient step on the squared error, then soft-thresholding, the
# proximal map of the L1 term. The threshold sets small weights to exactly 0.

# %%
# --8<-- [start:ista]
def soft(z, t):
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def lasso(X, y, weight, iters=2000, theta=None):
    step = 1 / np.linalg.eigvalsh(X.T @ X).max()
    theta = np.zeros(X.shape[1]) if theta is None else theta
    for _ in range(iters):
        theta = soft(theta - step * X.T @ (X @ theta - y), step * weight)
    return theta


def ridge(X, y, weight):
    return np.linalg.solve(X.T @ X + weight * np.eye(X.shape[1]), X.T @ y)


theta_lasso = lasso(X, y, lam1)
zero = theta_true == 0
# lam1 is far above the noise x_jᵀε (sd σ√N ≈ 14), so this holds for
# (almost) every draw, not just this one
assert np.all(theta_lasso[zero] == 0.0), "exact zeros where θ_true = 0"
assert np.all(theta_lasso[~zero] != 0.0), "and nonzero where it is not"
# KKT: x_jᵀr = λ₁ sign(θ_j) if θ_j ≠ 0, and |x_jᵀr| ≤ λ₁ if θ_j = 0
corr = X.T @ (y - X @ theta_lasso)
assert np.allclose(corr[~zero], lam1 * np.sign(theta_lasso[~zero]),
                   rtol=0, atol=1e-8), "KKT on the support"
assert np.all(np.abs(corr[zero]) < lam1), "KKT off the support, strictly"

# a Gaussian prior with the same variance, 2b², gives ridge
lam = sigma**2 / (2 * b**2)
theta_ridge = ridge(X, y, lam)
# Along the whole ridge path, θ(λ) = Σ_i v_i (v_iᵀXᵀy)/(d_i + λ) with
# XᵀX = V diag(d) Vᵀ: coordinate j is a sum of poles at λ = −d_i < 0 and is
# identically 0 only if every V_ji (v_iᵀXᵀy) is. Otherwise it can vanish at
# no more than D − 1 isolated values of λ, and never on an interval.
d, V = np.linalg.eigh(X.T @ X)
c = V.T @ X.T @ y
assert np.allclose(ridge(X, y, lam), V @ (c / (d + lam)), atol=1e-12), (
    "ridge path in the eigenbasis"
)
assert np.all(np.abs(V * c).max(axis=1) > 1e-6 * np.abs(c).max()), (
    "no ridge coefficient is identically 0 in λ: its zeros are isolated"
)
# --8<-- [end:ista]
# values quoted on the page (this build's draw)
lasso_1, lasso_2, lasso_3 = theta_lasso[:3]
ridge_min = np.abs(theta_ridge).min()
print("lasso:", theta_lasso.round(3))
print("ridge:", theta_ridge.round(3))

# %% [markdown]
# Plain (sub)gradient descent on the same objective gets close, but it
# never lands on 0: the zeros come from the proximal step, not the prior alone.

# %%
# --8<-- [start:subgradient]
th = torch.zeros(D, dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([th], lr=2e-4)
for _ in range(1000):
    opt.zero_grad()
    (0.5 * ((yt - Xt @ th) ** 2).sum() + lam1 * th.abs().sum()).backward()
    opt.step()
th = th.detach().numpy()
assert np.count_nonzero(th == 0.0) == 0, "subgradient: no exact zeros"
assert np.abs(th - theta_lasso).max() < 0.05, "... though close to the MAP"
# --8<-- [end:subgradient]
print("subgradient:", th.round(3))

# %% [markdown]
# Orthonormal design: lasso is soft-thresholding of least squares, ridge a
# uniform shrinkage (exercise 2).

# %%
Q, _ = np.linalg.qr(X)
z = Q.T @ y  # least squares in the orthonormal basis
assert np.allclose(lasso(Q, y, lam1), soft(z, lam1), atol=1e-12), (
    "orthonormal X: lasso = soft-threshold of least squares"
)
assert np.allclose(ridge(Q, y, lam), z / (1 + lam)), (
    "orthonormal X: ridge = least squares / (1 + λ)"
)

# %% [markdown]
# The paths. Ridge coefficients may cross 0 as λ grows, but only at isolated
# λ (above), so they pass through 0 and do not stay. The lasso path is
# piecewise linear: while the active set A and its signs s stay fixed,
# θ_A(λ) = (X_AᵀX_A)⁻¹(X_Aᵀy − λs), and a coefficient leaves A where that
# line reaches 0. Following it up from λ₁ gives the exact knots, certified
# on each segment by the KKT conditions at its two ends (x_kᵀr is affine
# in λ on a segment, so the inequality holds on the whole segment).

# %%
# --8<-- [start:path]
weights = np.geomspace(1.0, 1e4, 60)
lasso_path, theta = [], None
for w in weights:  # warm starts along the path
    theta = lasso(X, y, w, iters=600, theta=theta)
    lasso_path.append(theta)
lasso_path = np.array(lasso_path)
ridge_path = np.array([ridge(X, y, w) for w in weights])
assert np.all(lasso_path[weights >= lam1][:, zero] == 0.0), (
    "lasso: the null weights are 0 for every λ₁ ≥ σ²/b on the path"
)
# ridge: sign changes between grid points are crossings, not zeros held
crossings = int((np.diff(np.sign(ridge_path), axis=0) != 0).sum())
null_crossing = int((np.diff(np.sign(ridge_path[:, zero]), axis=0) != 0)
                    .any(axis=0).sum())

# the exact lasso knots above λ₁, by following the active set
signs = np.sign(theta_lasso)
active, lo, knots = list(np.flatnonzero(theta_lasso)), lam1, []
while active:
    XA, s = X[:, active], signs[active]
    G = XA.T @ XA
    u, v = np.linalg.solve(G, XA.T @ y), np.linalg.solve(G, s)
    hits = u / v  # θ_A(λ) = u − λv is 0 at λ = u/v
    j = int(np.argmin(np.where(hits > lo, hits, np.inf)))
    hi = hits[j]
    for end in (lo, hi):  # KKT at both ends of the segment [lo, hi]
        th_end = np.zeros(D)
        th_end[active] = u - end * v
        corr_end = X.T @ (y - X @ th_end)
        assert np.allclose(corr_end[active], end * s, atol=1e-8), "on A"
        assert np.all(np.abs(corr_end) <= end + 1e-8), "off A: |x_kᵀr| ≤ λ"
        assert np.all(th_end[active] * s >= -1e-9), "signs hold"
    knots.append(hi)
    del active[j]
    lo = hi
assert np.isclose(knots[-1], np.abs(X.T @ y).max()), "last: λ_max = ‖Xᵀy‖∞"
# ISTA at a knot ± 2% agrees with the path: the coefficient is 0 just above
for k in knots:
    assert np.count_nonzero(lasso(X, y, 1.02 * k)) < np.count_nonzero(
        lasso(X, y, 0.98 * k)), "a coefficient leaves at each knot"
# --8<-- [end:path]
knot_1, knot_2, knot_3 = knots
first_all_zero = weights[np.all(lasso_path[:, zero] == 0, axis=1)].min()
print("ridge sign changes on the grid:", crossings, "(null weights:",
      null_crossing, ") lasso knots:", np.round(knots, 1),
      "first grid λ₁ with all 7 null weights at 0:", first_all_zero.round(2))

fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True,
                         num="map-ridge-lasso-paths", layout="constrained")
for ax, path, color, name, chosen in (
    (axes[0], ridge_path, "C0", r"ridge weight $\lambda=\sigma^2/\tau^2$",
     lam),
    (axes[1], lasso_path, "C1", r"lasso weight $\lambda_1=\sigma^2/b$",
     lam1),
):
    for j in range(D):
        ax.plot(weights, path[:, j], color=color,
                lw=1.8 if not zero[j] else 0.8,
                alpha=1.0 if not zero[j] else 0.6)
    ax.axvline(chosen, color="k", lw=0.8, ls=":")
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlabel(name)
axes[0].set_ylabel(r"MAP coefficient $\theta_j$")
axes[0].set_title("Gaussian prior: shrinks; may cross 0, never stays")
axes[1].set_title("Laplace prior: exact zeros")
axes[1].plot([], [], color="k", lw=1.8,
             label=r"$\theta_{\text{true},j}\neq 0$")
axes[1].plot([], [], color="k", lw=0.8, alpha=0.6,
             label=r"$\theta_{\text{true},j}=0$")
axes[1].legend(loc="upper right", fontsize=8)
plt.show()
