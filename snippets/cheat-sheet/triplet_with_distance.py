"""TripletMarginWithDistanceLoss is TripletMarginLoss with a distance of your choice: the same hinge on a distance gap, and `swap=True` takes the nearer of the two negative distances.

Cheat sheet, the `TripletMarginWithDistanceLoss` row. Chapter 8 shows that the
hinge on the gap d(a, p) - d(a, n) fails the normalisation test; here the
check is that this class computes that same hinge.
"""

# %%
import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
n, dim, margin = 128, 6, 0.35
anchor = torch.randn(n, dim, dtype=torch.float64)
positive = anchor + 0.8 * torch.randn(n, dim, dtype=torch.float64)
negative = torch.randn(n, dim, dtype=torch.float64)

# %%
# --8<-- [start:distance]
default = nn.TripletMarginWithDistanceLoss(margin=margin)(anchor, positive, negative)
assert torch.allclose(
    default, nn.TripletMarginLoss(margin=margin)(anchor, positive, negative)
), "default distance: pairwise_distance, as in TripletMarginLoss"


def cosine_distance(a, b):
    return 1 - F.cosine_similarity(a, b)


d_ap, d_an = cosine_distance(anchor, positive), cosine_distance(anchor, negative)
d_pn = cosine_distance(positive, negative)
custom = nn.TripletMarginWithDistanceLoss(
    distance_function=cosine_distance, margin=margin, reduction="none"
)(anchor, positive, negative)
assert torch.allclose(custom, torch.clamp(d_ap - d_an + margin, min=0)), (
    "max(0, d(a, p) - d(a, n) + margin) with the given d"
)
swapped = nn.TripletMarginWithDistanceLoss(
    distance_function=cosine_distance, margin=margin, swap=True, reduction="none"
)(anchor, positive, negative)
nearer = torch.minimum(d_an, d_pn)  # the harder of the two negatives
assert torch.allclose(
    swapped, torch.clamp(d_ap - nearer + margin, min=0)
), "swap=True: the negative's distance is min(d(a, n), d(p, n))"
assert (swapped > custom).any(), "swap changes some triplets' loss"

# triplets that meet the margin have zero loss and contribute zero gradient
a_, p_, n_ = (t.clone().requires_grad_() for t in (anchor, positive, negative))
per_triplet = nn.TripletMarginWithDistanceLoss(
    distance_function=cosine_distance, margin=margin, reduction="none"
)(a_, p_, n_)
per_triplet.sum().backward()
met = per_triplet.detach() == 0  # d(a, p) + margin <= d(a, n)
grad_norm = a_.grad.norm(dim=1) + p_.grad.norm(dim=1) + n_.grad.norm(dim=1)
assert met.any() and (grad_norm[met] == 0).all(), "met margin: exactly zero gradient"
assert (grad_norm[~met] > 0).all(), "margin not met: a nonzero gradient"
zero_frac = met.double().mean().item()
# --8<-- [end:distance]
print(f"fraction of triplets with exactly zero loss: {zero_frac:.2f}")
