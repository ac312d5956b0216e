"""For angles, the von Mises NLL is κ(1 − cos(y − μ)) plus a constant: a periodic loss minimised by the circular mean.

Chapter "Losses are negative log-likelihoods", the von Mises row of the table.
MSE on raw angles treats 179° and −179° as far apart; the von Mises NLL does
not.
"""

# %%
import math

import torch
from torch.distributions import Normal, VonMises

SEED = 0
torch.manual_seed(SEED)
kappa = torch.tensor(4.0, dtype=torch.float64)
# angles clustered near ±π, where raw angles wrap around
y = VonMises(torch.tensor(3.0), torch.tensor(4.0)).sample((1000,)).double()

# %%
# --8<-- [start:nll]
mu = torch.tensor(2.9, dtype=torch.float64)
# log 2π I0(κ) − κ = log 2π + log i0e(κ): finite even where I0(κ) overflows
const = math.log(2 * math.pi) + torch.log(torch.special.i0e(kappa))
nll = kappa * (1 - torch.cos(y - mu)) + const  # eq. (10)
assert torch.allclose(nll, -VonMises(mu, kappa).log_prob(y)), "von Mises NLL"
assert torch.allclose(nll, -VonMises(mu + 2 * math.pi, kappa).log_prob(y)), (
    "periodic in μ"
)
# --8<-- [end:nll]

# %% [markdown]
# A prediction of −179° for a target of 179°: the angle between them is 2°.


# %%
# --8<-- [start:wrap]
def vm_nll(target, pred):
    return -VonMises(torch.tensor(pred), kappa).log_prob(torch.tensor(target))


deg = math.radians
raw_mse = (deg(179) - deg(-179)) ** 2
assert raw_mse > 39, "MSE on raw angles sees 358°"
assert torch.isclose(vm_nll(deg(179), deg(-179)), vm_nll(deg(1), deg(-1))), (
    "the von Mises NLL sees 2°, as between 1° and -1°"
)
# --8<-- [end:wrap]

# %% [markdown]
# For large κ the von Mises is a Gaussian with σ² = 1/κ near its mode, since
# κ(1 − cos r) ≈ κr²/2.

# %%
big = torch.tensor(400.0, dtype=torch.float64)
r = torch.linspace(-0.1, 0.1, 201, dtype=torch.float64)
zero = torch.tensor(0.0, dtype=torch.float64)
gap = VonMises(zero, big).log_prob(r) - Normal(0.0, big.rsqrt()).log_prob(r)
assert gap.abs().max() < 1e-2, "large κ: von Mises ≈ Gaussian, σ² = 1/κ"

# %% [markdown]
# The estimator: the μ that minimises the loss is the circular mean
# atan2(Σ sin y, Σ cos y). The arithmetic mean of these angles lands far from
# ±π, on the wrong side of the circle.

# %%
grid = torch.linspace(-math.pi, math.pi, 20001, dtype=torch.float64)
curve = (1 - torch.cos(y[None, :] - grid[:, None])).mean(1)
circ = torch.atan2(torch.sin(y).sum(), torch.cos(y).sum())
assert abs(grid[curve.argmin()] - circ) < 1e-3, "minimiser = circular mean"
assert abs(y.mean()) < 1.0 < abs(circ), "the arithmetic mean is far off"
print(f"circular mean {circ:.3f} rad, arithmetic mean {y.mean():.3f} rad")
