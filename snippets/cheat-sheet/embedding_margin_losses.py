"""HingeEmbeddingLoss, CosineEmbeddingLoss and MarginRankingLoss are hinges on a ±1 label: exp(-loss) does not normalise over the label, and the minimiser keeps only the side of ½ that P(y = 1) is on.

Cheat sheet, the rows of the three pairwise losses that take a label y = ±1.
Each checks torch's formula, the normalisation test over y = ±1 at several
scales and label weights, and the minimiser of the expected loss on a grid.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
N, m = 64, 0.6  # a margin that is not 0 or 1
y = torch.randint(0, 2, (N,)).double() * 2 - 1  # ±1
dist = 2 * torch.rand(N, dtype=torch.float64)  # a distance, >= 0
u, v = torch.randn(N, 5, dtype=torch.float64), torch.randn(N, 5, dtype=torch.float64)
x1, x2 = torch.randn(N, dtype=torch.float64), torch.randn(N, dtype=torch.float64)

# %%
# --8<-- [start:formulas]
hinge_emb = torch.where(y > 0, dist, torch.clamp(m - dist, min=0))
assert torch.allclose(
    nn.HingeEmbeddingLoss(margin=m, reduction="none")(dist, y), hinge_emb
), "HingeEmbeddingLoss: x if y = 1, max(0, margin - x) if y = -1"

cos = F.cosine_similarity(u, v)
cos_emb = torch.where(y > 0, 1 - cos, torch.clamp(cos - m, min=0))
assert torch.allclose(
    nn.CosineEmbeddingLoss(margin=m, reduction="none")(u, v, y), cos_emb
), "CosineEmbeddingLoss: 1 - cos if y = 1, max(0, cos - margin) if y = -1"

rank = torch.clamp(m - y * (x1 - x2), min=0)
assert torch.allclose(
    nn.MarginRankingLoss(margin=m, reduction="none")(x1, x2, y), rank
), "MarginRankingLoss: max(0, margin - y (x1 - x2)), a hinge in z = x1 - x2"
# --8<-- [end:formulas]

# %% [markdown]
# The normalisation test: Z(s) = h₊ exp(-a ℓ(+1, s)) + h₋ exp(-a ℓ(-1, s)).
# On one region one term is constant and the other strictly monotone, so Z
# moves with s for every a > 0 and h₊, h₋ > 0. Two points of that region show it.

# %%
# --8<-- [start:normaliser]
def loss_pm(name, s):
    """(loss at y = +1, loss at y = -1) as functions of the input s."""
    if name == "hinge_embedding":  # s = distance >= 0
        return s, torch.clamp(m - s, min=0)
    if name == "cosine_embedding":  # s = cosine in [-1, 1]
        return 1 - s, torch.clamp(s - m, min=0)
    return torch.clamp(m - s, min=0), torch.clamp(m + s, min=0)  # ranking, s = z


regions = {  # two inputs in the region where one term is constant
    "hinge_embedding": (m, 2 * m + 0.3),  # x >= m: the y = -1 term is 1
    "cosine_embedding": (-0.9, m - 0.1),  # c <= m: the y = -1 term is 1
    "margin_ranking": (m, m + 1.7),  # z >= m: the y = +1 term is 1
}
for name, (s0, s1) in regions.items():
    s = torch.tensor([s0, s1], dtype=torch.float64)
    for a in (0.3, 1.0, 2.5):
        for h_plus, h_minus in ((1.0, 1.0), (0.2, 3.0), (4.0, 0.5)):
            up, down = loss_pm(name, s)
            Z = h_plus * torch.exp(-a * up) + h_minus * torch.exp(-a * down)
            assert abs(Z[0] - Z[1]) > 1e-3, f"{name}: Z depends on the input"
# --8<-- [end:normaliser]

# %% [markdown]
# The minimiser of the expected loss p ℓ(+1, s) + (1 - p) ℓ(-1, s), p = P(y = +1).

# %%
# --8<-- [start:minimiser]
ps = torch.tensor([0.05, 0.2, 0.45, 0.55, 0.8, 0.95], dtype=torch.float64)
grids = {
    "hinge_embedding": torch.linspace(0, 3, 3001, dtype=torch.float64),
    "cosine_embedding": torch.linspace(-1, 1, 2001, dtype=torch.float64),
    "margin_ranking": torch.linspace(-3, 3, 6001, dtype=torch.float64),
}
expected_best = {  # derived: each expected loss is piecewise linear in s
    "hinge_embedding": lambda p: 0.0 if p > 0.5 else m,
    "cosine_embedding": lambda p: 1.0 if p > 0.5 else m,
    "margin_ranking": lambda p: m if p > 0.5 else -m,
}
for name, s in grids.items():
    up, down = loss_pm(name, s)
    for p in ps:
        best = s[(p * up + (1 - p) * down).argmin()].item()
        assert abs(best - expected_best[name](p.item())) < 1e-9, (
            f"{name}: the minimiser depends only on the side of 1/2 p is on"
        )

# MarginRankingLoss's default margin is 0: then z = 0 (x1 = x2) is the only
# minimiser for every p strictly between 0 and 1, and it costs exactly 0 when
# x1 = x2, whatever the labels
zs = grids["margin_ranking"]
for p in ps:
    best = zs[(p * torch.clamp(-zs, min=0) + (1 - p) * torch.clamp(zs, min=0)).argmin()]
    assert best.abs() < 1e-9, "margin 0: the expected loss is minimised at z = 0"
collapsed = nn.MarginRankingLoss()(x1, x1, y)
assert collapsed == 0, "margin 0: scoring both items the same costs nothing"
# --8<-- [end:minimiser]
print("minimisers checked at p =", ps.tolist())

# %% [markdown]
# Labels in {0, 1} instead of {-1, +1} raise no error. HingeEmbeddingLoss
# then charges a 0 label both terms; SoftMarginLoss charges it log 2 whatever z.

# %%
# --8<-- [start:labels01]
y01 = (y > 0).double()  # the same labels, coded 0/1
hinge01 = nn.HingeEmbeddingLoss(margin=m, reduction="none")(dist, y01)
both = dist + torch.clamp(m - dist, min=0)
assert torch.allclose(hinge01, torch.where(y01 > 0, dist, both)), (
    "HingeEmbeddingLoss, label 0: x + max(0, margin - x)"
)
soft01 = nn.SoftMarginLoss(reduction="none")(x1, y01)
assert torch.allclose(soft01[y01 == 0], torch.full_like(soft01[y01 == 0], math.log(2))), (
    "SoftMarginLoss, label 0: log(1 + e^0) = log 2, no gradient"
)
# --8<-- [end:labels01]
