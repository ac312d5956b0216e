"""The Cauchy NLL is log(πs) + log(1 + r²/s²): the Student-t with ν = 1, whose mean does not exist.

Chapter "Losses are negative log-likelihoods", the Cauchy row of the table.
Because the Cauchy has no mean, the sample mean never settles down; the Cauchy
MLE of location does.
"""

# %%
import math

import torch
from torch.distributions import Cauchy, StudentT

torch.manual_seed(0)
s = 0.8
y = Cauchy(2.0, s).sample((2001,)).double()

# %%
# --8<-- [start:nll]
y_hat = torch.full_like(y, 1.5)
nll = math.log(math.pi * s) + torch.log1p(((y - y_hat) / s) ** 2)
assert torch.allclose(nll, -Cauchy(y_hat, s).log_prob(y)), "Cauchy NLL formula"
assert torch.allclose(nll, -StudentT(1.0, y_hat, s).log_prob(y)), (
    "Cauchy = Student-t with ν = 1"
)
# --8<-- [end:nll]

# %% [markdown]
# Fit the location by minimising the Cauchy NLL, and compare with the sample
# mean, which MSE would return.

# %%
# --8<-- [start:location]
grid = torch.linspace(-5, 10, 15001, dtype=torch.float64)
curve = torch.log1p(((y[None, :] - grid[:, None]) / s) ** 2).mean(1)
mle = grid[curve.argmin()]
assert abs(mle - 2.0) < 0.1, "the Cauchy MLE finds the centre"
assert abs(y.mean() - 2.0) > abs(mle - 2.0), (
    "the sample mean (MSE's answer) is further off"
)
# --8<-- [end:location]
print(f"Cauchy MLE {mle:.3f}, sample mean {y.mean():.3f}, true centre 2.0")
