"""For angles, the von Mises NLL is κ(1 − cos(θ − μ)) plus constants: a periodic loss whose minimiser is the circular mean.

Chapter "Losses are negative log-likelihoods", the von Mises row of the table.
MSE on raw angles treats 179° and −179° as far apart; the von Mises NLL does not.
"""

# %%
import math

import torch
from torch.distributions import Normal, VonMises

torch.manual_seed(0)
kappa = 4.0
# angles clustered near ±π, where raw angles wrap around
theta = VonMises(torch.tensor(3.0), torch.tensor(kappa)).sample((1000,))
theta = theta.double()

# %%
# --8<-- [start:nll]
mu = torch.tensor(2.9, dtype=torch.float64)
log_norm = math.log(2 * math.pi) + math.log(
    torch.special.i0(torch.tensor(kappa, dtype=torch.float64))
)
nll = -kappa * torch.cos(theta - mu) + log_norm  # = κ(1 − cos(θ − μ)) + const
assert torch.allclose(
    nll,
    -VonMises(mu, torch.tensor(kappa, dtype=torch.float64)).log_prob(theta),
), "von Mises NLL"
assert torch.allclose(
    nll,
    -VonMises(
        mu + 2 * math.pi, torch.tensor(kappa, dtype=torch.float64)
    ).log_prob(theta),
)
# --8<-- [end:nll]

# %% [markdown]
# A prediction of −179° for a target of 179°: the angle between them is 2°.

# %%
# --8<-- [start:wrap]
target, pred = math.radians(179), math.radians(-179)
raw_mse = (target - pred) ** 2
angular = 1 - math.cos(target - pred)
assert raw_mse > 39, "MSE on raw angles sees 358°"
assert math.isclose(angular, 1 - math.cos(math.radians(2))), (
    "the von Mises loss sees 2°"
)
# --8<-- [end:wrap]

# %% [markdown]
# For large κ the von Mises is a Gaussian with σ² = 1/κ near its mode, so
# κ(1 − cos r) ≈ κr²/2.

# %%
big = torch.tensor(400.0, dtype=torch.float64)
r = torch.linspace(-0.1, 0.1, 201, dtype=torch.float64)
gap = (
    VonMises(torch.tensor(0.0, dtype=torch.float64), big).log_prob(r)
    - Normal(0.0, big.rsqrt()).log_prob(r)
).abs()
assert gap.max() < 1e-2, "large κ: von Mises ≈ Gaussian with σ² = 1/κ"

# %% [markdown]
# The estimator: the μ that minimises the loss is the circular mean
# atan2(Σ sin θ, Σ cos θ), while the arithmetic mean of these angles is near 0,
# the opposite side of the circle.

# %%
grid = torch.linspace(-math.pi, math.pi, 20001, dtype=torch.float64)
curve = (1 - torch.cos(theta[None, :] - grid[:, None])).mean(1)
circ = torch.atan2(torch.sin(theta).sum(), torch.cos(theta).sum())
assert abs(grid[curve.argmin()] - circ) < 1e-3, (
    "the minimiser is the circular mean"
)
assert abs(theta.mean()) < 1.0 < abs(circ), (
    "the arithmetic mean lands on the wrong side"
)
print(f"circular mean {circ:.3f} rad, arithmetic mean {theta.mean():.3f} rad")
