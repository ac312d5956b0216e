"""Binary cross-entropy is the Bernoulli negative log-likelihood; pass logits, not probabilities.

Chapter "Losses are negative log-likelihoods", the Bernoulli row of the table.
The network outputs one logit z, the Bernoulli's parameter on the log-odds scale.
"""

# %%
import torch
from torch import nn
from torch.distributions import Bernoulli

torch.manual_seed(0)
y = torch.randint(0, 2, (1000,)).double()  # labels in {0, 1}
z = torch.randn(1000, dtype=torch.float64) * 3  # logits: the network's output
p = torch.sigmoid(z)

# %%
# --8<-- [start:nll]
nll = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
assert torch.allclose(nll, -Bernoulli(probs=p).log_prob(y)), (
    "Bernoulli NLL formula"
)
assert torch.allclose(nll, -Bernoulli(logits=z).log_prob(y))
assert torch.allclose(nll.mean(), nn.BCELoss()(p, y)), (
    "BCELoss takes probabilities"
)
assert torch.allclose(nll.mean(), nn.BCEWithLogitsLoss()(z, y)), (
    "BCEWithLogitsLoss takes logits"
)
# --8<-- [end:nll]

# %% [markdown]
# Why logits: a confident wrong prediction, z = −200 for a positive label, has
# NLL log(1 + e²⁰⁰) ≈ 200. In float32 the sigmoid underflows to 0 and
# `BCELoss` clamps log 0 to −100, so it reports 100; the logit version is exact.

# %%
# --8<-- [start:stable]
z_bad = torch.tensor([-200.0])  # float32, as in most training
one = torch.tensor([1.0])
assert torch.sigmoid(z_bad).item() == 0.0, "the probability underflows"
assert nn.BCELoss()(torch.sigmoid(z_bad), one).item() == 100.0, (
    "BCELoss clamps log(0) at -100"
)
assert torch.isclose(
    nn.BCEWithLogitsLoss()(z_bad, one), torch.tensor(200.0)
), "logits stay exact"
# --8<-- [end:stable]

# %% [markdown]
# The estimator: the constant p that minimises BCE on a sample is the sample
# frequency of ones, the MLE of P(y = 1).

# %%
grid = torch.linspace(0.001, 0.999, 9981, dtype=torch.float64)
bce = -(y.mean() * torch.log(grid) + (1 - y.mean()) * torch.log(1 - grid))
assert abs(grid[bce.argmin()] - y.mean()) <= grid[1] - grid[0], (
    "BCE's minimiser is the frequency"
)
print(
    f"frequency of ones {y.mean():.3f}, BCE minimiser {grid[bce.argmin()]:.3f}"
)
