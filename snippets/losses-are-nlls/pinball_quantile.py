"""The pinball loss is the asymmetric-Laplace NLL; its minimiser is the τ-quantile.

Chapter "Losses are negative log-likelihoods", the asymmetric-Laplace row of the
table. torch has neither the distribution nor the loss, so both are written out
and the density is checked to integrate to one.
"""

# %%
import math

import torch

SEED = 0
torch.manual_seed(SEED)
# skewed targets
y = torch.distributions.Gamma(2.0, 1.0).sample((1001,)).double()
tau = 0.9


# %%
# --8<-- [start:nll]
def pinball(u, tau):
    """ρ_τ(u) = u (τ − 1[u < 0]): slope τ above, 1 − τ below."""
    return u * (tau - (u < 0).double())


def asymmetric_laplace_nll(y, mu, sigma, tau):
    return pinball((y - mu) / sigma, tau) - math.log(tau * (1 - tau) / sigma)


# --8<-- [end:nll]


# %%
# σ ≠ 1, so that a wrong power of σ in the normaliser would show
u = torch.linspace(-400, 400, 4_000_001, dtype=torch.float64)
for sigma in (0.6, 2.5):
    for t in (0.1, 0.5, 0.9):
        density = torch.exp(-asymmetric_laplace_nll(u, 0.3, sigma, t))
        mass = torch.trapezoid(density, u)
        assert torch.isclose(mass, torch.ones_like(mass), rtol=1e-6), (
            "the density integrates to 1"
        )
assert torch.allclose(pinball(u, 0.5), u.abs() / 2), (
    "τ = ½ is half the absolute error"
)

# %% [markdown]
# The estimator: the constant that minimises the mean pinball loss is the
# sample τ-quantile (n = 1001 and τ = 0.9 make it a single order statistic).

# %%
# --8<-- [start:quantile]
grid = torch.linspace(0, 8, 16001, dtype=torch.float64)
curve = pinball(y[None, :] - grid[:, None], tau).mean(1)
q = torch.quantile(y, tau)
assert abs(grid[curve.argmin()] - q) <= grid[1] - grid[0], (
    "pinball's minimiser is the τ-quantile"
)
# --8<-- [end:quantile]
print(f"pinball minimiser {grid[curve.argmin()]:.3f}, 0.9-quantile {q:.3f}")
