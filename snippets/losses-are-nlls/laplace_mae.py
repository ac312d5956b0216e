"""MAE is the Laplace negative log-likelihood, up to the scale 1/b and a shift; its minimiser is the median.

Chapter "Losses are negative log-likelihoods", the Laplace row of the table.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import Laplace

SEED = 0
torch.manual_seed(SEED)
# skewed targets
y = torch.distributions.Gamma(2.0, 1.0).sample((1001,)).double()
y_hat = torch.zeros_like(y) + 1.0
b = 0.8

# %%
# --8<-- [start:nll]
nll = (y - y_hat).abs() / b + math.log(2 * b)
assert torch.allclose(nll, -Laplace(y_hat, b).log_prob(y)), (
    "Laplace NLL formula"
)

mae = nn.L1Loss()(y_hat, y)
assert torch.isclose(nll.mean(), mae / b + math.log(2 * b)), (
    "mean NLL = MAE/b + log 2b"
)
# --8<-- [end:nll]

# %% [markdown]
# Fit a single constant under each loss: MAE lands on the median, MSE on the mean.

# %%
# --8<-- [start:median]
grid = torch.linspace(0, 5, 10001, dtype=torch.float64)
mae_curve = (y[None, :] - grid[:, None]).abs().mean(1)
mse_curve = ((y[None, :] - grid[:, None]) ** 2).mean(1)
step = grid[1] - grid[0]
assert abs(grid[mae_curve.argmin()] - y.median()) <= step, (
    "MAE's minimiser is the median"
)
assert abs(grid[mse_curve.argmin()] - y.mean()) <= step, (
    "MSE's minimiser is the mean"
)
# --8<-- [end:median]

# The MLE of the scale b is the mean absolute residual.
b_grid = torch.linspace(0.2, 3, 28001, dtype=torch.float64)
res = (y - y.median()).abs()
b_nll = (res[None, :] / b_grid[:, None]).mean(1) + torch.log(2 * b_grid)
assert abs(b_grid[b_nll.argmin()] - res.mean()) < 2e-4, (
    "MLE of b is the mean absolute residual"
)
print(f"median {y.median():.3f}, mean {y.mean():.3f}, b_hat {res.mean():.3f}")
