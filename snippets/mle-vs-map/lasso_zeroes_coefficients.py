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

rng = np.random.default_rng(0)
N, D, sigma = 50, 10, 1.0
X = rng.normal(size=(N, D))
theta_true = np.zeros(D)
theta_true[:3] = [3.0, -2.0, 1.5]  # sparse: 7 of the 10 weights are 0
y = X @ theta_true + sigma * rng.normal(size=N)
b = 0.05  # Laplace prior scale
lam1 = sigma**2 / b  # the lasso weight, 20

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
assert np.all(theta_lasso[zero] == 0.0), "exact zeros where θ_true = 0"
assert np.all(theta_lasso[~zero] != 0.0), "and nonzero where it is not"
# KKT: x_jᵀr = λ₁ sign(θ_j) if θ_j ≠ 0, and |x_jᵀr| ≤ λ₁ if θ_j = 0
corr = X.T @ (y - X @ theta_lasso)
assert np.allclose(corr[~zero], lam1 * np.sign(theta_lasso[~zero]),
                   rtol=0, atol=1e-8), "KKT on the support"
assert np.all(np.abs(corr[zero]) < lam1), "KKT off the support, strictly"

# a Gaussian prior with the same variance, 2b², gives ridge: no zeros
lam = sigma**2 / (2 * b**2)
theta_ridge = ridge(X, y, lam)
assert np.all(np.abs(theta_ridge) > 1e-3), "ridge zeroes no coefficient"
# --8<-- [end:ista]
print("lasso:", theta_lasso.round(3))
print("ridge:", theta_ridge.round(3))

# %% [markdown]
# Plain (sub)gradient descent on the same objective gets close, but it
# never lands on 0: the zeros come from the proximal step, not the prior alone.

# %%
# --8<-- [start:subgradient]
th = torch.zeros(D, dtype=torch.float64, requires_grad=True)
opt = torch.optim.SGD([th], lr=1e-3)
for _ in range(3000):
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

# %%
weights = np.geomspace(0.1, 300, 60)
lasso_path, theta = [], None
for w in weights:  # warm starts along the path
    theta = lasso(X, y, w, iters=600, theta=theta)
    lasso_path.append(theta)
lasso_path = np.array(lasso_path)
ridge_path = np.array([ridge(X, y, w) for w in weights])
assert np.all(ridge_path != 0.0), "ridge: no zeros anywhere on the path"
assert np.all(lasso_path[weights >= lam1][:, zero] == 0.0), (
    "lasso: the null weights are 0 for every λ₁ ≥ σ²/b on the path"
)
print("first λ₁ on the path with all 7 null weights at 0:",
      weights[np.all(lasso_path[:, zero] == 0, axis=1)].min().round(2))

fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), sharey=True,
                         num="map-ridge-lasso-paths")
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
axes[0].set_title("Gaussian prior: shrinks, never 0")
axes[1].set_title("Laplace prior: exact zeros")
axes[1].plot([], [], color="k", lw=1.8,
             label=r"$\theta_{\text{true},j}\neq 0$")
axes[1].plot([], [], color="k", lw=0.8, alpha=0.6,
             label=r"$\theta_{\text{true},j}=0$")
axes[1].legend(loc="upper right", fontsize=8)
plt.show()
