"""BCE on pixels in [0, 1] is not a normalised likelihood; the continuous Bernoulli adds the missing log C(λ), with C(½) = 2.

Chapter "Losses are negative log-likelihoods", the last row of the table
(Loaiza-Ganem & Cunningham, 2019). λ^y (1−λ)^(1−y) integrates over y ∈ [0, 1]
to 1/C(λ), not to 1.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import ContinuousBernoulli


def log_norm_const(lam):
    """log C(λ), C(λ) = 2 artanh(1 − 2λ) / (1 − 2λ), with C(½) = 2 by continuity."""
    x = 1 - 2 * lam
    safe = torch.where(x.abs() < 1e-4, torch.ones_like(x), x)
    return torch.where(
        x.abs() < 1e-4,
        math.log(2) + x**2 / 3,
        torch.log(2 * torch.atanh(safe) / safe),
    )


SEED = 0
torch.manual_seed(SEED)
# decoder output per pixel
lam = torch.rand(300, dtype=torch.float64) * 0.98 + 0.01
y = torch.rand(300, dtype=torch.float64)  # grey-level pixels, not binary

# %%
# --8<-- [start:normaliser]
ys = torch.linspace(0, 1, 200001, dtype=torch.float64)
for l in (0.05, 0.3, 0.5, 0.8):
    mass = torch.trapezoid(l**ys * (1 - l) ** (1 - ys), ys)
    C = torch.exp(log_norm_const(torch.tensor(l, dtype=torch.float64)))
    assert torch.isclose(mass, 1 / C), (
        "BCE's 'density' integrates to 1/C(λ), not 1"
    )
# C(½) = 2 is a limit: the closed form, evaluated just either side of ½
near = torch.tensor([0.5 - 1e-3, 0.5 + 1e-3], dtype=torch.float64)
x = 1 - 2 * near
C_near = 2 * torch.atanh(x) / x
assert torch.allclose(C_near, torch.tensor(2.0, dtype=torch.float64), atol=1e-5), (
    "C(λ) → 2 as λ → ½"
)
# --8<-- [end:normaliser]

# %%
# --8<-- [start:nll]
bce = nn.BCELoss(reduction="none")(lam, y)
nll = bce - log_norm_const(lam)
assert torch.allclose(nll, -ContinuousBernoulli(probs=lam).log_prob(y)), (
    "CB NLL = BCE − log C(λ)"
)
# --8<-- [end:nll]

# %% [markdown]
# The missing term matters for the fit: for one grey pixel y = 0.8, BCE is
# minimised at λ = 0.8, the continuous-Bernoulli NLL elsewhere, because the
# mean of CB(λ) is not λ.

# %%
grid = torch.linspace(0.001, 0.999, 9981, dtype=torch.float64)
target = torch.full_like(grid, 0.8)
lam_bce = grid[nn.BCELoss(reduction="none")(grid, target).argmin()]
lam_cb = grid[(-ContinuousBernoulli(probs=grid).log_prob(target)).argmin()]
assert abs(lam_bce - 0.8) < 1e-3, "BCE's minimiser: λ = y"
cb_mean = ContinuousBernoulli(probs=lam_cb).mean
# the λ whose continuous-Bernoulli mean is 0.8, by bisection (the mean rises with λ)
lo_hi = [0.5 + 1e-3, 1 - 1e-9]
for _ in range(60):
    mid = sum(lo_hi) / 2
    above = ContinuousBernoulli(probs=torch.tensor(mid).double()).mean > 0.8
    lo_hi[1 if above else 0] = mid
lam_mean = sum(lo_hi) / 2
assert abs(lam_cb - lam_mean) <= grid[1] - grid[0], (
    "CB's MLE is the λ whose mean is y, not y itself"
)
assert abs(cb_mean - 0.8) < 1e-3, "so the fitted mean is 0.8"
print(
    f"BCE argmin λ = {lam_bce:.3f}; CB argmin λ = {lam_cb:.3f}, whose mean is {cb_mean:.3f}"
)
