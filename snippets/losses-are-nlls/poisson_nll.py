"""PoissonNLLLoss is the Poisson negative log-likelihood without log y!; `full=True` adds Stirling's approximation of it, not log y! itself.

Chapter "Losses are negative log-likelihoods", the Poisson row of the table. By
default (`log_input=True`) the network outputs the log-rate η = log λ.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import NegativeBinomial, Poisson

SEED = 0
torch.manual_seed(SEED)
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
default_eps = nn.PoissonNLLLoss(log_input=False, reduction="none")(eta.exp(), y)
assert torch.allclose(default_eps, eta.exp() - y * torch.log(eta.exp() + 1e-8)), (
    "by default it computes λ − y log(λ + 1e-8)"
)
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
error_y2, error_y10 = error[2].item(), error[10].item()  # quoted on the page
print(f"error of full=True at y=2: {error_y2:.4f}, at y=10: {error_y10:.5f}")

# %% [markdown]
# The estimator: the constant rate that minimises the loss is the sample mean.

# %%
grid = torch.linspace(-3, 3, 60001, dtype=torch.float64)
curve = grid.exp() - y.mean() * grid
assert abs(grid[curve.argmin()].exp() - y.mean()) < 1e-3, (
    "Poisson MLE of the rate is the mean"
)

# %% [markdown]
# Overdispersion. A Poisson's variance equals its mean. Counts whose rate
# itself varies, λ ~ Gamma(shape r, mean μ), are negative binomial: the
# mixture ∫ Poisson(y | λ) Gamma(λ) dλ has mean μ and variance μ + μ²/r > μ.
# In torch, NegativeBinomial(total_count=r, logits=log μ − log r).

# %%
# --8<-- [start:overdispersion]
def nb_nll(y, mu, r):
    """−log NB(y | mean μ, dispersion r), written out."""
    return -(
        torch.lgamma(y + r)
        - torch.lgamma(r)
        - torch.lgamma(y + 1)
        + r * torch.log(r / (r + mu))
        + y * torch.log(mu / (r + mu))
    )


ks = torch.arange(0, 400, dtype=torch.float64)
lam = torch.linspace(1e-6, 200, 400001, dtype=torch.float64)  # for ∫ dλ
for mu_nb, r_nb in ((4.0, 2.0), (11.0, 1.6)):
    mu_t, r_t = torch.tensor(mu_nb).double(), torch.tensor(r_nb).double()
    nb = NegativeBinomial(total_count=r_t, logits=mu_t.log() - r_t.log())
    assert torch.allclose(nb_nll(ks, mu_t, r_t), -nb.log_prob(ks)), (
        "negative-binomial NLL formula"
    )
    gamma = torch.distributions.Gamma(r_t, r_t / mu_t).log_prob(lam).exp()
    for y0 in (0.0, 3.0, 17.0):
        mix = torch.trapezoid(
            Poisson(lam).log_prob(torch.tensor(y0)).exp() * gamma, lam
        )
        assert torch.isclose(mix, nb.log_prob(torch.tensor(y0)).exp(), rtol=1e-5), (
            "NB is the Gamma mixture of Poissons"
        )
    pmf = nb.log_prob(ks).exp()
    mean = (ks * pmf).sum()
    var = ((ks - mean) ** 2 * pmf).sum()
    assert torch.isclose(mean, mu_t) and torch.isclose(var, mu_t + mu_t**2 / r_t), (
        "mean μ, variance μ + μ²/r: above the mean"
    )
    # a Poisson with the right mean puts its 10–90 % band where far fewer
    # than 80 % of these counts fall
    cdf = Poisson(mu_t).log_prob(ks).exp().cumsum(0)
    q10, q90 = (cdf < 0.1).sum(), (cdf < 0.9).sum()
    nb_in_band = pmf[q10 : q90 + 1].sum().item()
    assert nb_in_band < 0.7, "the Poisson band is too narrow for them"
# --8<-- [end:overdispersion]
nb_var_ratio = (var / mean).item()  # for μ = 11, r = 1.6
big_r = torch.tensor(1e7, dtype=torch.float64)
limit = NegativeBinomial(total_count=big_r, logits=math.log(3.0) - big_r.log())
assert torch.allclose(
    limit.log_prob(ks[:40]), Poisson(torch.tensor(3.0)).log_prob(ks[:40]), atol=1e-5
), "as r → ∞ the negative binomial becomes the Poisson"
print(f"NB(μ=11, r=1.6): variance/mean = {nb_var_ratio:.1f}; "
      f"mass in Poisson(11)'s 10–90 % band = {nb_in_band:.3f}")
