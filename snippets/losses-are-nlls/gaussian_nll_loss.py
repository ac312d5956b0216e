"""GaussianNLLLoss is the Gaussian NLL with a learned variance; it takes the variance, not σ.

Chapter "Losses are negative log-likelihoods", second row of the table. The
network outputs two parameters, a mean and a variance. The asserts pin down the
three gotchas of `nn.GaussianNLLLoss`: its third argument is σ², `full=True` is
what adds the ½ log 2π, and the `eps` clamp on the variance is invisible to
autograd.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import Normal

torch.manual_seed(0)
y = torch.randn(500, dtype=torch.float64) * 2.0
mu = torch.randn(500, dtype=torch.float64)  # network output 1: the mean
# network output 2: the variance σ²
var = torch.rand(500, dtype=torch.float64) + 0.5

# %%
# --8<-- [start:variance]
# Normal takes the standard deviation
exact = -Normal(mu, var.sqrt()).log_prob(y)

full = nn.GaussianNLLLoss(full=True, reduction="none")(mu, y, var)
assert torch.allclose(full, exact), (
    "full=True is the exact Gaussian NLL, given the variance"
)

default = nn.GaussianNLLLoss(reduction="none")(mu, y, var)
assert torch.allclose(default, exact - 0.5 * math.log(2 * math.pi)), (
    "default drops ½ log 2π"
)

wrong = nn.GaussianNLLLoss(full=True, reduction="none")(mu, y, var.sqrt())
assert not torch.allclose(wrong, exact), (
    "passing σ where σ² is expected is a different model"
)
# --8<-- [end:variance]

# %% [markdown]
# Below `eps` the variance is clamped, but under `torch.no_grad()`: the gradient
# is the one at `var = eps`, passed straight through to the tiny variance.

# %%
# --8<-- [start:clamp]
eps = 1e-6
tiny = torch.tensor([1e-9], dtype=torch.float64, requires_grad=True)
loss = nn.GaussianNLLLoss(eps=eps)(
    torch.zeros(1, dtype=torch.float64),
    torch.full((1,), 1e-3, dtype=torch.float64),
    tiny,
)
(grad,) = torch.autograd.grad(loss, tiny)
r2 = 1e-6  # the squared residual (1e-3)²
assert torch.isclose(
    loss, torch.tensor(0.5 * (math.log(eps) + r2 / eps), dtype=torch.float64)
)
assert torch.isclose(
    grad, torch.tensor(0.5 * (1 / eps - r2 / eps**2), dtype=torch.float64)
), "clamp is straight-through"
# --8<-- [end:clamp]

# %% [markdown]
# With the variance free, the NLL is minimised at σ² = (y − μ)² for each point:
# that is what makes a learned variance chase the residual.

# %%
v = torch.logspace(-3, 2, 5001, dtype=torch.float64)
r = 1.3
per_point = 0.5 * (torch.log(v) + r**2 / v)
assert torch.isclose(
    v[per_point.argmin()], torch.tensor(r**2, dtype=torch.float64), rtol=3e-3
)
print(
    f"minimising variance for residual {r}: {v[per_point.argmin()]:.4f} (r² = {r**2:.4f})"
)
