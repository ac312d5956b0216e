"""The triplet loss is a hinge on a distance gap; its soft-margin version is exactly a two-way cross-entropy.

Chapter "When a loss is not a likelihood", the triplet loss (Schroff et al.,
2015). Read it as a choice between two candidates, "which one is the
positive?". With softplus in place of the hinge it is the categorical NLL of
that synthetic label; with the hinge, exp(-loss) does not normalise over it.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
n, dim, margin = 256, 8, 1.0
anchor = torch.randn(n, dim, dtype=torch.float64)
positive = anchor + 0.7 * torch.randn(n, dim, dtype=torch.float64)
negative = torch.randn(n, dim, dtype=torch.float64)

# %%
# --8<-- [start:triplet]
d_pos = F.pairwise_distance(anchor, positive)  # what torch uses (p=2)
d_neg = F.pairwise_distance(anchor, negative)
hinge = torch.clamp(d_pos - d_neg + margin, min=0)
assert torch.allclose(
    nn.TripletMarginLoss(margin=margin)(anchor, positive, negative),
    hinge.mean(),
), "TripletMarginLoss = mean of max(0, d(a,p) - d(a,n) + margin)"

# Soft margin: softplus(d_pos - d_neg) is a 2-way cross-entropy with
# logits (-d_pos, -d_neg) and the label "candidate 0 is the positive".
soft = F.softplus(d_pos - d_neg)
logits = torch.stack([-d_pos, -d_neg], dim=1)
label = torch.zeros(n, dtype=torch.long)
assert torch.allclose(
    soft, F.cross_entropy(logits, label, reduction="none")
), "soft-margin triplet = categorical NLL of 'which is the positive'"
# --8<-- [end:triplet]

# %% [markdown]
# The normalisation test: sum exp(−loss) over both possible answers to
# "which candidate is the positive". A likelihood of that label gives 1.

# %%
# --8<-- [start:normaliser]
gap = d_pos - d_neg
Z_soft = torch.exp(-F.softplus(gap)) + torch.exp(-F.softplus(-gap))
Z_hinge = torch.exp(-torch.clamp(gap + margin, min=0)) + torch.exp(
    -torch.clamp(-gap + margin, min=0)
)
assert torch.allclose(Z_soft, torch.ones(n, dtype=torch.float64)), (
    "soft margin: exp(-loss) sums to 1 over the two answers"
)
assert Z_hinge.max() - Z_hinge.min() > 0.2, (
    "hinge margin: the sum moves from triplet to triplet: no likelihood"
)
# It is the hinge normaliser (3) at scale a = m and score z = -gap/m:
# 2 exp(-m) cosh(gap) for |gap| ≤ m, 1 + exp(-m - |gap|) beyond.
for m in (0.5, margin, 2.0):
    Z_m = torch.exp(-torch.clamp(gap + m, min=0)) + torch.exp(
        -torch.clamp(-gap + m, min=0))
    z = -gap / m
    Z_eq3 = torch.exp(-m * torch.clamp(1 - z, min=0)) + torch.exp(
        -m * torch.clamp(1 + z, min=0))
    assert torch.allclose(Z_m, Z_eq3), "equation (3) with a = m, z = -gap/m"
    near = gap.abs() <= m
    assert near.any() and (~near).any(), "both branches occur"
    assert torch.allclose(
        Z_m[near], 2 * math.exp(-m) * torch.cosh(gap[near])
    ), "Z = 2 exp(-m) cosh(gap) for |gap| ≤ m"
    assert torch.allclose(
        Z_m[~near], 1 + torch.exp(-m - gap[~near].abs())
    ), "Z = 1 + exp(-m - |gap|) for |gap| > m"
# A hinge stops pulling once the margin is met; a likelihood never does.
assert (hinge == 0).any() and (soft > 0).all(), (
    "some triplets have zero hinge loss (and zero gradient), none zero NLL"
)
# --8<-- [end:normaliser]
print(
    f"hinge normaliser in [{Z_hinge.min():.3f}, {Z_hinge.max():.3f}],",
    f"{(hinge == 0).float().mean():.0%} of triplets at zero loss",
)
