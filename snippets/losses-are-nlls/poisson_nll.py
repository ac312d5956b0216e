"""PoissonNLLLoss is the Poisson negative log-likelihood without log y!; `full=True` adds Stirling's approximation of it, not log y! itself.

Chapter "Losses are negative log-likelihoods", the Poisson row of the table. By
default (`log_input=True`) the network outputs the log-rate η = log λ.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import Poisson

torch.manual_seed(0)
eta = torch.randn(400, dtype=torch.float64)  # network output: log-rate
y = Poisson(eta.exp()).sample()  # counts

# %%
# --8<-- [start:nll]
nll = eta.exp() - y * eta + torch.lgamma(y + 1)  # λ − y log λ + log y!
assert torch.allclose(nll, -Poisson(eta.exp()).log_prob(y)), (
    "Poisson NLL formula"
)

loss = nn.PoissonNLLLoss(log_input=True, reduction="none")(eta, y)
assert torch.allclose(loss, nll - torch.lgamma(y + 1)), (
    "default drops log y!, constant in η"
)

rate_in = nn.PoissonNLLLoss(log_input=False, eps=0.0, reduction="none")(
    eta.exp(), y
)
assert torch.allclose(rate_in, loss), "log_input=False takes λ itself"
# --8<-- [end:nll]

# %% [markdown]
# `full=True` adds y log y − y + ½ log 2πy for y > 1. That is Stirling's
# approximation of log y!, and Robbins (1955) bounds its error:
# 1/(12y+1) < log y! − stirling(y) < 1/(12y).

# %%
# --8<-- [start:stirling]
counts = torch.arange(0, 60, dtype=torch.float64)
full = nn.PoissonNLLLoss(full=True, reduction="none")(
    torch.zeros_like(counts), counts
)
part = nn.PoissonNLLLoss(full=False, reduction="none")(
    torch.zeros_like(counts), counts
)
stirling = full - part  # the term full=True adds
error = torch.lgamma(counts + 1) - stirling
big = counts > 1
assert torch.all(stirling[~big] == 0), (
    "for y ≤ 1 nothing is added (log 0! = log 1! = 0, exact)"
)
assert torch.all(error[big] < 1 / (12 * counts[big])), "Robbins upper bound"
assert torch.all(error[big] > 1 / (12 * counts[big] + 1)), (
    "Robbins lower bound: never exact"
)
# --8<-- [end:stirling]
assert abs(error[2] - 0.0413) < 5e-5 and abs(error[10] - 0.00833) < 5e-6, (
    "the errors quoted on the page, at y = 2 and y = 10"
)
print(f"error of full=True at y=2: {error[2]:.4f}, at y=10: {error[10]:.5f}")

# %% [markdown]
# The estimator: the constant rate that minimises the loss is the sample mean.

# %%
grid = torch.linspace(-3, 3, 60001, dtype=torch.float64)
curve = grid.exp() - y.mean() * grid
assert abs(grid[curve.argmin()].exp() - y.mean()) < 1e-3, (
    "Poisson MLE of the rate is the mean"
)
