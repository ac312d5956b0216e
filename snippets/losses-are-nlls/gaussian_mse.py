"""MSE is the Gaussian negative log-likelihood, up to the scale 1/(2σ²) and a shift.

Chapter "Losses are negative log-likelihoods", first row of the table. It also
pins down two gotchas: `MSELoss` has no ½, so its gradient is twice the NLL's
(at σ = 1), and the MLE of σ² is the mean squared residual.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import Normal

SEED = 0
torch.manual_seed(SEED)
y = torch.randn(1000, dtype=torch.float64) * 1.5 + 0.3  # targets
# a model's outputs: the Gaussian's mean
y_hat = torch.randn(1000, dtype=torch.float64) * 0.2
sigma = 0.7

# %% [markdown]
# The density, written out with every constant, against `torch.distributions`.

# %%
# --8<-- [start:nll]
const = 0.5 * math.log(2 * math.pi * sigma**2)
nll = (y - y_hat) ** 2 / (2 * sigma**2) + const
assert torch.allclose(nll, -Normal(y_hat, sigma).log_prob(y)), (
    "Gaussian NLL formula"
)

mse = nn.MSELoss()(y_hat, y)  # mean of (y - y_hat)^2, with no 1/2
assert torch.allclose(nll.mean(), mse / (2 * sigma**2) + const), (
    "mean NLL = MSE/(2σ²) + const"
)
# --8<-- [end:nll]

# %% [markdown]
# Gradients: with σ = 1, the NLL's gradient is half of MSELoss's.

# %%
# --8<-- [start:gradient]
mu = y_hat.clone().requires_grad_()
grad_mse = torch.autograd.grad(nn.MSELoss()(mu, y), mu)[0]
grad_nll = torch.autograd.grad(-Normal(mu, 1.0).log_prob(y).mean(), mu)[0]
assert torch.allclose(grad_mse, 2 * grad_nll), (
    "MSELoss has no 1/2: its gradient is twice the NLL's"
)
unit_var = torch.ones_like(y)
grad_gnll = torch.autograd.grad(nn.GaussianNLLLoss()(mu, y, unit_var), mu)[0]
assert torch.allclose(grad_mse, 2 * grad_gnll), "same with GaussianNLLLoss"
# --8<-- [end:gradient]

# %% [markdown]
# If σ is learned too, its MLE is the root mean squared residual, and the
# minimised NLL is ½ log(2πe · MSE).

# %%
# --8<-- [start:sigma]
sigma_hat = mse.sqrt()
log_sigma = torch.linspace(-2, 2, 4001, dtype=torch.float64)
mean_nll = torch.stack(
    [-Normal(y_hat, s).log_prob(y).mean() for s in log_sigma.exp()]
)
best = log_sigma[mean_nll.argmin()].exp()
assert abs(best - sigma_hat) < 2e-3 * sigma_hat, (
    "the MLE of σ is the root mean squared residual"
)
assert torch.isclose(
    mean_nll.min(), 0.5 * torch.log(2 * math.pi * math.e * mse), atol=1e-6
), "the minimised NLL is ½ log(2πe·MSE)"
# --8<-- [end:sigma]
print(
    f"MSE = {mse:.4f}, sigma_hat = {sigma_hat:.4f}, min mean NLL = {mean_nll.min():.4f}"
)

# %% [markdown]
# What the constant factor does to training depends on the optimiser. MSELoss
# is twice GaussianNLLLoss with unit variance (plus nothing: the default drops
# ½ log 2π). Plain SGD multiplies the gradient by the learning rate, so the
# factor 2 trades off against it exactly. Adam divides each gradient by a
# running root mean square of itself, so a constant factor cancels (up to its
# eps) and switching between the two losses needs no new learning rate.

# %%
# --8<-- [start:optimiser]
X = torch.randn(200, 3, dtype=torch.float64)
target = X @ torch.tensor([0.8, -1.9, 0.4], dtype=torch.float64) + 0.3 * y[:200]


def train(loss_name, make_opt, steps=50):
    """Weights of a linear model after `steps` optimiser steps."""
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = make_opt([w])
    for _ in range(steps):
        opt.zero_grad()
        pred = X @ w
        if loss_name == "mse":
            loss = nn.MSELoss()(pred, target)
        else:
            loss = nn.GaussianNLLLoss()(pred, target, torch.ones_like(pred))
        loss.backward()
        opt.step()
    return w.detach()


lr = 0.05
sgd_mse = train("mse", lambda p: torch.optim.SGD(p, lr=lr))
sgd_nll = train("nll", lambda p: torch.optim.SGD(p, lr=lr))
sgd_nll_2lr = train("nll", lambda p: torch.optim.SGD(p, lr=2 * lr))
assert (sgd_mse - sgd_nll).abs().max() > 1e-2, "SGD: the factor 2 matters"
assert torch.allclose(sgd_mse, sgd_nll_2lr, rtol=1e-12, atol=1e-12), (
    "SGD on MSE with lr = SGD on the NLL with 2·lr"
)
adam_mse = train("mse", lambda p: torch.optim.Adam(p, lr=lr))
adam_nll = train("nll", lambda p: torch.optim.Adam(p, lr=lr))
assert torch.allclose(adam_mse, adam_nll, rtol=0, atol=1e-6), (
    "Adam: the constant factor cancels, the same lr works for both"
)
# --8<-- [end:optimiser]
sgd_gap = (sgd_mse - sgd_nll).abs().max().item()
adam_gap = (adam_mse - adam_nll).abs().max().item()
print(f"after 50 steps: SGD weights differ by {sgd_gap:.3g}, Adam by {adam_gap:.3g}")
