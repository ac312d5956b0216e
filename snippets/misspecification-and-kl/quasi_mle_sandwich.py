"""A misspecified MLE still converges, but its error bars need the sandwich.

Chapter "Misspecification and KL", the second response to misspecification:
fit N(μ, v) to samples of ½N(−2, 0.5²) + ½N(2, 0.5²). The curvature J and
the score covariance K of the Gaussian NLL are computed under p_data by
quadrature, and the sandwich J⁻¹KJ⁻¹ is compared with the spread of the MLE
over many training sets: it is right for both parameters, while the model's
own J⁻¹ is right for μ̂ and three times too wide for v̂.
"""

# %%
import math

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
SEED = 0
rng = np.random.default_rng(SEED)

# %%
# --8<-- [start:sandwich]
A, S = 2.0, 0.5  # p_data = ½ N(−A, S²) + ½ N(A, S²)
V = A**2 + S**2  # its variance, 4.25: the projection is θ* = (0, V)
MU4 = A**4 + 6 * A**2 * S**2 + 3 * S**4  # 4th central moment, 22.1875
kurtosis = MU4 / V**2  # 1.23, against 3 for a Gaussian: bimodal
assert abs(kurtosis - 1.228) < 5e-4, "strongly platykurtic"


def log_q(theta, y):
    """The model's log-density, log N(y | μ, v), with θ = (μ, v)."""
    return torch.distributions.Normal(theta[0], theta[1].sqrt()).log_prob(y)


# J = E[−∇²log q] and K = E[∇log q ∇log qᵀ] at θ*, under p_data (trapezoid)
y = torch.linspace(-12.0, 12.0, 4801)
p = 0.5 * (torch.distributions.Normal(-A, S).log_prob(y).exp()
           + torch.distributions.Normal(A, S).log_prob(y).exp())
theta_star = torch.tensor([0.0, V])
score = torch.func.vmap(torch.func.grad(log_q), (None, 0))(theta_star, y)
hess = torch.func.vmap(torch.func.hessian(log_q), (None, 0))(theta_star, y)
J = -torch.trapezoid(p[:, None, None] * hess, y, dim=0)
K = torch.trapezoid(p[:, None, None] * score[:, :, None] * score[:, None, :],
                    y, dim=0)
J_inv = torch.linalg.inv(J)
sandwich = J_inv @ K @ J_inv  # the asymptotic covariance of √N(θ̂ − θ*)
# Exercise 4: J = diag(1/v, 1/2v²), K = diag(1/v, (μ₄ − v²)/4v⁴) here
assert torch.allclose(J, torch.diag(torch.tensor([1 / V, 1 / (2 * V**2)])),
                      atol=1e-10), "J, as in Exercise 4"
assert torch.allclose(K, torch.diag(torch.tensor(
    [1 / V, (MU4 - V**2) / (4 * V**4)])), atol=1e-10), "K, as in Exercise 4"
assert abs(sandwich[1, 1] - (MU4 - V**2)) < 1e-9, "sandwich for v: μ₄ − v²"
# the model's own error bars, J⁻¹ (the inverse Fisher information):
assert abs(J_inv[0, 0] - sandwich[0, 0]) < 1e-9, "for μ̂ it is right (v) ..."
assert J_inv[1, 1] / sandwich[1, 1] > 8, "... for v̂ 2v² ≫ μ₄ − v²"

# the spread over R training sets of N draws, at two sizes N
R = 4000
spread = {}
for N in (100, 1000):
    Y = A * rng.choice([-1.0, 1.0], size=(R, N)) + S * rng.standard_normal(
        (R, N))
    theta_hat = np.stack([Y.mean(axis=1), Y.var(axis=1)], axis=1)  # MLE
    err = math.sqrt(N) * (theta_hat - theta_star.numpy())
    for j in range(2):  # N·Var(θ̂_j) against the sandwich, within 4 s.e.
        z = err[:, j] - err[:, j].mean()
        spread[N, j] = var = np.mean(z**2)
        se = math.sqrt(np.var(z**2) / R)
        if N == 1000:  # (at N = 100, N·Var(v̂) is still 7% above its limit)
            assert abs(var - sandwich[j, j]) < 4 * se, (
                "the sandwich predicts the spread"
            )
    # consistency: N·E‖θ̂ − θ*‖² stays at tr(sandwich), so E‖θ̂ − θ*‖² → 0
    msq = np.mean(np.sum(err**2, axis=1))
    assert abs(msq / sandwich.trace() - 1) < 0.2, "θ̂ → θ* at rate 1/√N"
# --8<-- [end:sandwich]
sandwich_v = sandwich[1, 1].item()  # quoted on the page
model_v = J_inv[1, 1].item()
sd_ratio = math.sqrt(model_v / sandwich_v)  # the model's SE / the true SE
spread_mu, spread_v = spread[1000, 0], spread[1000, 1]

# %% [markdown]
# The sandwich can be estimated from one training set, with plug-in moments.

# %%
# --8<-- [start:plugin]
m4_hat = np.mean((Y - Y.mean(axis=1, keepdims=True)) ** 4, axis=1)
v_hat = Y.var(axis=1)
plugin = m4_hat - v_hat**2  # per training set, estimates μ₄ − v²
assert abs(np.median(plugin) / spread_v - 1) < 0.15, "plug-in sandwich works"
naive = 2 * v_hat**2  # the Gaussian model's own variance formula
assert np.median(naive / plugin) > 5, "naive variance typically >5x too big"
# --8<-- [end:plugin]
