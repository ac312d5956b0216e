"""Binary cross-entropy is the Bernoulli negative log-likelihood; pass logits, not probabilities.

Chapter "Losses are negative log-likelihoods", the Bernoulli row of the table.
The network outputs one logit z, the Bernoulli's parameter on the log-odds scale.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import Bernoulli

SEED = 0
torch.manual_seed(SEED)
y = torch.randint(0, 2, (1000,)).double()  # labels in {0, 1}
z = torch.randn(1000, dtype=torch.float64) * 3  # logits: the network's output
p = torch.sigmoid(z)

# %%
# --8<-- [start:nll]
nll = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
assert torch.allclose(nll, -Bernoulli(probs=p).log_prob(y)), (
    "Bernoulli NLL formula"
)
assert torch.allclose(nll, -Bernoulli(logits=z).log_prob(y)), "same, from logits"
assert torch.allclose(nll.mean(), nn.BCELoss()(p, y)), (
    "BCELoss takes probabilities"
)
assert torch.allclose(nll.mean(), nn.BCEWithLogitsLoss()(z, y)), (
    "BCEWithLogitsLoss takes logits"
)
# --8<-- [end:nll]

# %% [markdown]
# Why logits. BCELoss(σ(z), y) equals the NLL only while σ(z) does not round
# to 0 or 1. For a confidently wrong negative, y = 0 and z = 17, float32
# rounds σ(17) to exactly 1: BCELoss clamps log(1 − 1) = log 0 to −100 and
# reports 100 instead of 17, and its gradient with respect to z is exactly 0,
# so the example stops being learned. The logit version gives 17 and slope 1.


# %%
# --8<-- [start:stable]
def loss_and_slope(loss_fn, z, y, through_sigmoid):
    """The loss at logit z and its derivative with respect to z."""
    z = torch.tensor([z], dtype=y.dtype, requires_grad=True)
    loss = loss_fn(torch.sigmoid(z) if through_sigmoid else z, y)
    (slope,) = torch.autograd.grad(loss, z)
    return loss.item(), slope.item()


z_wrong = 17.0  # confident "1" for a label 0: the NLL is log(1 + e^17) ≈ 17
zero32 = torch.tensor([0.0])  # float32, as in most training
assert torch.sigmoid(torch.tensor(z_wrong)).item() == 1.0, "σ(17) rounds to 1"
bce_loss, bce_slope = loss_and_slope(nn.BCELoss(), z_wrong, zero32, True)
logit_loss, logit_slope = loss_and_slope(
    nn.BCEWithLogitsLoss(), z_wrong, zero32, False
)
assert bce_loss == 100.0 and bce_slope == 0.0, (
    "BCELoss: clamped to 100, and no gradient at all"
)
assert logit_loss == z_wrong and logit_slope == 1.0, (
    "in float32 the logit version gives 17 and slope 1"
)
# --8<-- [end:stable]

# %% [markdown]
# float64 does not fix it. The −100 clamp is applied whatever the dtype, and
# the backward pass divides by max(σ(1 − σ), 1e−12), so the slope through
# σ(z) shrinks once σ(z)(1 − σ(z)) < 1e−12, that is for |z| beyond
# log 10¹² ≈ 27.6, even where σ(z) itself is still representable.

# %%
# --8<-- [start:float64]
one64, zero64 = torch.tensor([1.0]).double(), torch.tensor([0.0]).double()
bce64_far = loss_and_slope(nn.BCELoss(), -200.0, one64, True)
assert torch.sigmoid(torch.tensor(-200.0).double()) > 0, "no underflow"
assert bce64_far[0] == 100.0, "float64, z = −200: still clamped at 100"
assert abs(bce64_far[1]) < 1e-60, "and the slope is gone (true slope: −1)"
assert loss_and_slope(nn.BCELoss(), 40.0, zero64, True) == (100.0, 0.0), (
    "float64: σ(40) rounds to 1, the same 100 and zero slope"
)
slope_bce = loss_and_slope(nn.BCELoss(), -30.0, one64, True)[1]
slope_logit = loss_and_slope(nn.BCEWithLogitsLoss(), -30.0, one64, False)[1]
clamp_z = math.log(1e12)  # where σ(1 − σ) ≈ e^−|z| reaches 1e−12
assert abs(slope_logit + 1) < 1e-12 and abs(slope_bce) < 0.1, (
    "float64, z = −30: BCELoss's slope is under a tenth of the true −1"
)
inside = loss_and_slope(nn.BCELoss(), -25.0, one64, True)
exact = loss_and_slope(nn.BCEWithLogitsLoss(), -25.0, one64, False)
assert all(math.isclose(a, b, rel_tol=1e-9) for a, b in zip(inside, exact)), (
    "float64, z = −25: inside |z| < 27.6 the two still agree"
)
# --8<-- [end:float64]

# %% [markdown]
# Why the log-likelihood and not MSE on σ(z): the log undoes the exp inside the
# sigmoid. The slope of BCE in z is σ(z) − y. The slope of (σ(z) − y)² is
# 2(σ(z) − y)·σ(z)(1 − σ(z)), which vanishes when the sigmoid saturates, even
# when the prediction is confidently wrong.

# %%
# --8<-- [start:saturation]
z_sat = torch.tensor([-8.0, -3.0, 0.5, 4.0], dtype=torch.float64)
y_sat = torch.ones_like(z_sat)
zz = z_sat.clone().requires_grad_()
(mse_slope,) = torch.autograd.grad(
    nn.MSELoss(reduction="sum")(torch.sigmoid(zz), y_sat), zz
)
(ce_slope,) = torch.autograd.grad(
    nn.BCEWithLogitsLoss(reduction="sum")(zz, y_sat), zz
)
sig = torch.sigmoid(z_sat)
assert torch.allclose(ce_slope, sig - y_sat), "BCE: slope σ(z) − y"
assert torch.allclose(mse_slope, 2 * (sig - y_sat) * sig * (1 - sig)), (
    "MSE on σ(z): slope 2(σ − y)σ(1 − σ)"
)
mse_slope_wrong, ce_slope_wrong = mse_slope[0].item(), ce_slope[0].item()
assert ce_slope_wrong < -0.99 and -1e-3 < mse_slope_wrong < 0, (
    "z = −8, y = 1: BCE pulls with ≈ −1, MSE on σ(z) with under 1e−3"
)
# --8<-- [end:saturation]

# %% [markdown]
# pos_weight = w multiplies the terms of the positive labels by w: it is the
# Bernoulli NLL of a data set in which every positive counts w times. The
# constant p that minimises it on labels with frequency π is wπ / (wπ + 1 − π),
# not π, so σ(z) no longer estimates P(y = 1 | x).

# %%
# --8<-- [start:pos-weight]
pi_hat = y.mean().item()  # the frequency of ones
logit = torch.linspace(-6, 6, 12001, dtype=torch.float64)  # constant fits
for w in (0.3, 4.0):
    weighted = nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor(w).double(), reduction="none"
    )
    batch = logit[:, None].expand(-1, len(y)), y.expand(len(logit), -1)
    curve = weighted(*batch)
    p_fit = torch.sigmoid(logit[curve.mean(1).argmin()]).item()
    p_theory = w * pi_hat / (w * pi_hat + 1 - pi_hat)
    assert abs(p_fit - p_theory) < 3e-4, "pos_weight: minimiser wπ/(wπ+1−π)"
    assert abs(p_fit - pi_hat) > 0.05, "not the frequency π"
# --8<-- [end:pos-weight]

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
