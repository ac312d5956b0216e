"""exp(-hinge) has a normaliser that moves with the score, so the hinge loss is no NLL; its minimiser is sign(2p − 1).

Chapter "When a loss is not a likelihood", the margin losses. For labels
y ∈ {−1, +1} and a score z = f_θ(x), a loss ℓ(y, z) is an NLL only if
Z(z) = Σ_y exp(−ℓ(y, z)) is the same for every z. The logistic loss passes;
the hinge loss, at any scale a > 0, fails.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
# the network's score, on a grid that contains -4, 1 and 4 exactly
z = torch.arange(-4000, 4001, dtype=torch.float64) / 1000


def hinge(y, z):
    return torch.clamp(1 - y * z, min=0)


def logistic(y, z):
    return F.softplus(-y * z)  # log(1 + exp(-yz))


# %%
# --8<-- [start:normaliser]
def Z(loss, z, a=1.0):
    """Sum over both labels of exp(-a·loss): constant in z iff an NLL."""
    return torch.exp(-a * loss(1, z)) + torch.exp(-a * loss(-1, z))


assert torch.allclose(Z(logistic, z), torch.ones_like(z)), (
    "logistic: exp(-loss) sums to 1 over y, for every z (Bernoulli NLL)"
)
inside = z.abs() <= 1
assert torch.allclose(
    Z(hinge, z)[inside], 2 * torch.cosh(z[inside]) / math.e
), "hinge: Z(z) = 2 cosh(z)/e for |z| ≤ 1"
outside = z.abs() >= 1
assert torch.allclose(
    Z(hinge, z)[outside], 1 + torch.exp(-1 - z[outside].abs())
), "hinge: Z(z) = 1 + exp(-1-|z|) for |z| ≥ 1"
assert (z[outside] <= -1).sum() == (z[outside] >= 1).sum() == 3001, (
    "both branches z ≤ -1 and z ≥ 1 are on the grid"
)
# No rescaling a·hinge helps: for z ≥ 1, Z_a(z) = 1 + exp(-a(1+z)),
# which falls strictly, from 1 + exp(-2a) at z = 1 towards 1.
for a in (0.1, math.log(2), 1.0, 3.0):
    Za = Z(hinge, z, a)
    drop = Za[z == 1.0].item() - Za[z == 4.0].item()
    assert math.isclose(drop, math.exp(-2 * a) - math.exp(-5 * a)), (
        "Z_a(1) - Z_a(4) = exp(-2a) - exp(-5a)"
    )
    assert drop > 0, f"a={a}: Z depends on z, so a·hinge is no NLL"
# --8<-- [end:normaliser]

# %% [markdown]
# What the minimiser estimates. With p = P(y = +1 | x), the expected loss is
# p·ℓ(+1, z) + (1 − p)·ℓ(−1, z). The logistic loss is minimised at the
# log-odds; the hinge loss at sign(2p − 1), which forgets p.

# %%
# --8<-- [start:minimiser]
ps = torch.linspace(0.02, 0.98, 49, dtype=torch.float64)
step = float(z[1] - z[0])
best = {}
for name, loss in [("logistic", logistic), ("hinge", hinge)]:
    risk = ps[:, None] * loss(1, z) + (1 - ps[:, None]) * loss(-1, z)
    best[name] = z[risk.argmin(dim=1)]
assert torch.allclose(
    best["logistic"], torch.log(ps / (1 - ps)), atol=step
), "logistic loss: the minimiser is the log-odds log(p/(1-p))"
not_half = (ps - 0.5).abs() > 1e-9
assert torch.allclose(
    best["hinge"][not_half], torch.sign(2 * ps[not_half] - 1), atol=step
), "hinge loss: the minimiser is sign(2p-1), whatever p is"
# --8<-- [end:minimiser]

# %%
# --8<-- [start:torch]
# nn.MultiMarginLoss is the multi-class hinge; with logits (0, z) it is
# half the binary hinge. nn.SoftMarginLoss, despite its name, is logistic.
y = torch.where(torch.rand(500) < 0.5, -1, 1)
zz = 3 * torch.randn(500, dtype=torch.float64)
two_logits = torch.stack([torch.zeros_like(zz), zz], dim=1)
cls = (y > 0).long()
assert torch.isclose(
    2 * nn.MultiMarginLoss()(two_logits, cls), hinge(y, zz).mean()
), "hinge = 2 × MultiMarginLoss with logits (0, z)"
assert torch.isclose(
    nn.SoftMarginLoss()(zz, y.double()),
    nn.BCEWithLogitsLoss()(zz, cls.double()),
), "SoftMarginLoss is the Bernoulli NLL (BCE with logits)"
# --8<-- [end:torch]
print(f"hinge Z(z) ranges over [{Z(hinge, z).min():.4f},",
      f"{Z(hinge, z).max():.4f}]")

# %%
fig, (ax_z, ax_m) = plt.subplots(
    1, 2, figsize=(8, 3.2), num="nal-hinge-normaliser", layout="constrained"
)
ax_z.plot(z, Z(logistic, z), color="C5", label="logistic (Bernoulli NLL)")
ax_z.plot(z, Z(hinge, z), color="k", label="hinge")
ax_z.set(
    xlabel="score $z = f_\\theta(x)$",
    ylabel="$Z(z)=\\sum_{y=\\pm1} e^{-\\ell(y,z)}$",
    title="The normaliser over the two labels",
    ylim=(0, 1.35),
)
ax_z.legend(fontsize=8, loc="lower center")
ax_m.plot(ps, best["logistic"], color="C5",
          label="logistic: $\\log\\frac{p}{1-p}$")
# At p = ½ the expected hinge loss is 1 on all of [-1, 1], so every z there
# is a minimiser (argmin returns just one): draw that set as the step's riser.
flat = 0.5 * (hinge(1, z) + hinge(-1, z))
assert torch.allclose(flat[inside], torch.ones_like(flat[inside])) and (
    flat[~inside] > 1).all(), "p = ½: the minimisers are exactly [-1, 1]"
below, above = ps < 0.5 - 1e-9, ps > 0.5 + 1e-9
ax_m.plot(torch.cat([ps[below], torch.tensor([0.5, 0.5]), ps[above]]),
          torch.cat([best["hinge"][below], torch.tensor([-1.0, 1.0]),
                     best["hinge"][above]]),
          color="k", label="hinge: sign$(2p-1)$")
ax_m.set(
    xlabel="$p = P(y=+1\\mid x)$",
    ylabel="minimiser $z^*$ of the expected loss",
    title="What the optimum estimates",
    ylim=(-4.2, 4.2),
)
ax_m.legend(fontsize=8, loc="upper left")
plt.show()
