"""The Cauchy NLL is log(πs) + log(1 + r²/s²): the Student-t with ν = 1, whose mean does not exist.

Chapter "Losses are negative log-likelihoods", the Cauchy row of the table.
Because the Cauchy has no mean, the sample mean never settles down; the Cauchy
MLE of location does.
"""

# %%
import math

import torch
from torch.distributions import Cauchy, StudentT

SEED = 0
torch.manual_seed(SEED)
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
# Fit the location by minimising the Cauchy NLL. Its standard error is
# s·√(2/N) (the Fisher information of a Cauchy location is 1/(2s²) per point).

# %%
# --8<-- [start:location]
grid = torch.linspace(-5, 10, 15001, dtype=torch.float64)
curve = torch.log1p(((y[None, :] - grid[:, None]) / s) ** 2).mean(1)
mle = grid[curve.argmin()].item()
se_mle = s * math.sqrt(2 / len(y))
assert abs(mle - 2.0) < 5 * se_mle, "the Cauchy MLE finds the centre"
mean_error = abs(y.mean().item() - 2.0)  # this draw's sample mean, MSE's answer
# --8<-- [end:location]

# %% [markdown]
# The sample mean of N Cauchy(2, s) draws is itself Cauchy(2, s), whatever N:
# its quartiles are 2 ± s. Over R = 4000 replicate samples, the half
# interquartile range of the sample mean is s at N = 11 and at N = 1001 alike
# (a sample quartile of R draws has standard error √(3/16 / R) / f(quartile),
# with f(2 ± s) = 1/(2πs)), while the MLE's is a small fraction of it.


# %%
# --8<-- [start:replicates]
def cauchy_mle(samples, steps=20):
    """Location MLE for each row, by IRLS with weights 1/(s² + r²)."""
    mu = samples.median(1, keepdim=True).values
    for _ in range(steps):
        wts = 1 / (s**2 + (samples - mu) ** 2)
        mu = (wts * samples).sum(1, keepdim=True) / wts.sum(1, keepdim=True)
    return mu[:, 0]


def half_iqr(v):
    q = torch.quantile(v, torch.tensor([0.25, 0.75], dtype=torch.float64))
    return ((q[1] - q[0]) / 2).item()


R = 4000
se_quartile = math.sqrt(3 / 16 / R) * 2 * math.pi * s
mean_spread = {}
for n_rep in (11, 1001):
    reps = Cauchy(2.0, s).sample((R, n_rep)).double()
    mean_spread[n_rep] = half_iqr(reps.mean(1))
    assert abs(mean_spread[n_rep] - s) < 5 * se_quartile, (
        "the sample mean's quartiles are 2 ± s, whatever N"
    )
mle_spread = half_iqr(cauchy_mle(reps[:400]))  # 400 samples of N = 1001
assert mle_spread < 0.1 * mean_spread[1001], (
    "the MLE's spread is a small fraction of the mean's"
)
# --8<-- [end:replicates]
mean_spread_11, mean_spread_1001 = mean_spread[11], mean_spread[1001]
print(
    f"this draw: Cauchy MLE {mle:.3f}, sample mean {y.mean():.3f}, centre 2.0; "
    f"half-IQR of the mean {mean_spread_11:.2f} (N=11), {mean_spread_1001:.2f} "
    f"(N=1001); of the MLE {mle_spread:.4f} (N=1001)"
)
