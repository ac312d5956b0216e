"""Ridge regression is the MAP estimate under a Gaussian prior, λ = σ²/τ².

Chapter "MLE vs MAP". With a Gaussian likelihood of variance σ² and a prior
N(0, τ²I) on the weights, the closed-form ridge solution with λ = σ²/τ² is
the minimiser of the full negative log posterior, found here numerically.
"""

# %%
import math

import numpy as np
import torch
from torch.distributions import MultivariateNormal, Normal

torch.set_default_dtype(torch.float64)
SEED = 0
rng = np.random.default_rng(SEED)
N, D = 40, 4
X = torch.tensor(rng.normal(size=(N, D)))
theta_true = torch.tensor([1.0, -0.5, 0.25, 2.0])
sigma = 0.5  # the likelihood's noise standard deviation
tau = 0.25  # the prior's standard deviation
y = X @ theta_true + sigma * torch.tensor(rng.normal(size=N))

# %% [markdown]
# The negative log posterior, up to the evidence log p(y), written with
# `torch.distributions` so that no constant is dropped.

# %%
# --8<-- [start:neg-log-post]
def neg_log_post(theta):
    """-log p(y | X, θ) - log p(θ): every constant kept."""
    nll = -Normal(X @ theta, sigma).log_prob(y).sum()
    neg_log_prior = -Normal(0.0, tau).log_prob(theta).sum()
    return nll + neg_log_prior


lam = sigma**2 / tau**2  # = 4
const = N / 2 * math.log(2 * math.pi * sigma**2) + D / 2 * math.log(
    2 * math.pi * tau**2
)
for _ in range(5):
    th = torch.tensor(rng.normal(size=D))
    ridge_objective = 0.5 * ((y - X @ th) ** 2).sum() + lam / 2 * th @ th
    assert torch.isclose(
        neg_log_post(th), ridge_objective / sigma**2 + const, rtol=1e-12
    ), "-log posterior = (½‖y-Xθ‖² + (λ/2)‖θ‖²)/σ² + const"
# --8<-- [end:neg-log-post]

# %% [markdown]
# Closed-form ridge against the MAP found by L-BFGS on `neg_log_post`.

# %%
# --8<-- [start:ridge-vs-map]
A = X.T @ X + lam * torch.eye(D)
theta_ridge = torch.linalg.solve(A, X.T @ y)  # (XᵀX + λI)⁻¹ Xᵀy

theta = torch.zeros(D, requires_grad=True)
opt = torch.optim.LBFGS(
    [theta], max_iter=200, tolerance_grad=1e-13,
    tolerance_change=1e-15, line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = neg_log_post(theta)
    loss.backward()
    return loss


opt.step(closure)
theta_map = theta.detach()
assert torch.allclose(theta_map, theta_ridge, rtol=0, atol=1e-8), (
    "numerical MAP = closed-form ridge with λ = σ²/τ²"
)
theta_mle = torch.linalg.lstsq(X, y.unsqueeze(1)).solution.squeeze(1)
# (XᵀX + λI)θ_ridge = Xᵀy = XᵀXθ_mle, so the prior pulls the MLE back by
# exactly λ(XᵀX + λI)⁻¹θ_mle
assert torch.allclose(
    theta_mle - theta_ridge, lam * torch.linalg.solve(A, theta_mle),
    rtol=0, atol=1e-10,
), "MLE − MAP = λ(XᵀX + λI)⁻¹ θ_MLE"
mle_map_gap = (theta_mle - theta_ridge).abs().max()  # quoted on the page
assert mle_map_gap > 0.05, "MAP ≠ MLE here"
assert theta_ridge.norm() < theta_mle.norm(), "the prior shrinks θ"
# --8<-- [end:ridge-vs-map]

# %% [markdown]
# With the evidence log p(y) added back, the posterior is exactly Gaussian:
# mean θ_ridge, covariance σ²(XᵀX + λI)⁻¹. So θ_ridge is also its mean.

# %%
# --8<-- [start:posterior]
evidence = MultivariateNormal(
    torch.zeros(N),
    sigma**2 * torch.eye(N) + tau**2 * X @ X.T,
)
posterior = MultivariateNormal(theta_ridge, sigma**2 * torch.linalg.inv(A))
for _ in range(5):
    th = theta_ridge + 0.3 * torch.tensor(rng.normal(size=D))
    lhs = neg_log_post(th) + evidence.log_prob(y)  # -log p(θ | y)
    assert torch.isclose(lhs, -posterior.log_prob(th), rtol=1e-10), (
        "-log p(θ|y) = -log N(θ | θ_ridge, σ²(XᵀX + λI)⁻¹)"
    )
# --8<-- [end:posterior]
gap = (theta_map - theta_ridge).abs().max()
print(f"lambda = {lam}, max |MAP - ridge| = {gap:.1e}")
print("ridge  =", theta_ridge.numpy().round(4))
print("MAP    =", theta_map.numpy().round(4))
print("MLE    =", theta_mle.numpy().round(4))
