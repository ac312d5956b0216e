"""Noise-contrastive estimation is the Bernoulli NLL of "data or noise", and its minimiser is the data density, normaliser included.

Chapter "When a loss is not a likelihood", noise-contrastive estimation
(Gutmann & Hyvärinen, 2010). An unnormalised Gaussian log q(y) = a·y² + b·y + c
is fitted by logistic regression of "data" against samples of a known noise
density, with the logit log q(y) − log(ν p_n(y)). The constant c is a free
parameter, and the fit sets it to −log Z: the normaliser is learned.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch.distributions import Normal

SEED = 0
torch.manual_seed(SEED)
mu, s = 1.3, 0.7  # the data: N(1.3, 0.7²)
noise = Normal(0.5, 1.5)  # p_n: known, normalised, easy to sample
n, nu = 20_000, 4  # n data points and ν·n noise points
y_data = mu + s * torch.randn(n, dtype=torch.float64)
y_noise = noise.sample((nu * n,)).double()

# %%
# --8<-- [start:nce]
y = torch.cat([y_data, y_noise])
label = torch.cat([torch.ones(n), torch.zeros(nu * n)]).double()
feats = torch.stack([y**2, y, torch.ones_like(y)], dim=1)  # log q = feats·θ
offset = -(math.log(nu) + noise.log_prob(y))  # -log(ν p_n(y))
theta = torch.zeros(3, dtype=torch.float64, requires_grad=True)  # (a, b, c)
opt = torch.optim.LBFGS([theta], max_iter=500, tolerance_grad=1e-12,
                        tolerance_change=0, line_search_fn="strong_wolfe")


def nce_loss():
    """BCE of "data (1) or noise (0)" with logit log q(y) - log(ν p_n(y))."""
    logit = feats @ theta + offset
    return F.binary_cross_entropy_with_logits(logit, label, reduction="sum")


def closure():
    opt.zero_grad()
    loss = nce_loss()
    loss.backward()
    return loss


opt.step(closure)
theta = theta.detach()
a, b, c = theta.tolist()
# the true natural parameters, with c = -log Z of N(mu, s²)
truth = torch.tensor([
    -1 / (2 * s**2),
    mu / s**2,
    -(mu**2) / (2 * s**2) - 0.5 * math.log(2 * math.pi * s**2),
], dtype=torch.float64)
# --8<-- [end:nce]

# %% [markdown]
# How close should the fit be? NCE is logistic regression, so the sandwich
# estimate H⁻¹ (Σ gᵢgᵢᵀ) H⁻¹ gives the estimator's covariance (slightly
# overestimated here, since the numbers of data and noise points are fixed).

# %%
# --8<-- [start:check]
prob = torch.sigmoid(feats @ theta + offset)
grads = (prob - label)[:, None] * feats  # per-point gradients of the BCE
hess = feats.T @ ((prob * (1 - prob))[:, None] * feats)
h_inv = torch.linalg.inv(hess)
cov = h_inv @ (grads.T @ grads) @ h_inv
se = cov.diagonal().sqrt()
assert ((theta - truth).abs() < 5 * se).all(), (
    "NCE recovers a, b and c = -log Z, within 5 standard errors"
)
# The fitted density's total mass: log ∫ exp(a y² + b y + c) dy = 0 if the
# learned c is the normaliser of the learned (a, b).
log_mass = c - b**2 / (4 * a) + 0.5 * math.log(math.pi / -a)
grad_g = torch.tensor([b**2 / (4 * a**2) - 1 / (2 * a), -b / (2 * a), 1.0],
                      dtype=torch.float64)
se_log_mass = float(grad_g @ cov @ grad_g) ** 0.5
assert abs(log_mass) < 5 * se_log_mass, (
    "the fitted q integrates to 1 within its standard error: Z was learned"
)
assert se_log_mass < 0.02 and se.max() < 0.1, "and the errors are small"
mu_hat, s_hat = -b / (2 * a), (-1 / (2 * a)) ** 0.5
c_true = float(truth[2])
# --8<-- [end:check]
print(f"(a, b, c) = ({a:.4f}, {b:.4f}, {c:.4f}) ± {se.numpy().round(4)};",
      f"truth {truth.numpy().round(4)}")
print(f"mu_hat {mu_hat:.4f}, s_hat {s_hat:.4f},",
      f"log mass {log_mass:.4f} ± {se_log_mass:.4f}")
