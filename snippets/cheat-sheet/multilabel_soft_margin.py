"""MultiLabelSoftMarginLoss is the NLL of C independent Bernoullis divided by C: BCE with logits, averaged over the classes.

Cheat sheet, the `MultiLabelSoftMarginLoss` row. The target is multi-hot, one
0/1 per class. Times C, exp(-loss) sums to 1 over all 2^C label vectors.
"""

# %%
import itertools

import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
N, C = 6, 4
logits = 2.5 * torch.randn(N, C, dtype=torch.float64)
y = (torch.rand(N, C) < 0.4).double()  # multi-hot
w = torch.rand(C, dtype=torch.float64) + 0.3  # per-class weights

# %%
# --8<-- [start:bce]
loss = nn.MultiLabelSoftMarginLoss(reduction="none")(logits, y)  # shape (N,)
bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")  # (N, C)
assert torch.allclose(loss, bce.mean(dim=1)), "per sample: BCE averaged over classes"
assert torch.allclose(
    nn.MultiLabelSoftMarginLoss()(logits, y), bce.mean()
), "default reduction: mean over samples of that"
weighted = (w * bce).mean(dim=1)
assert torch.allclose(
    nn.MultiLabelSoftMarginLoss(weight=w, reduction="none")(logits, y), weighted
), "weight multiplies each class's BCE; the divisor stays C"

# the normalisation test: exp(-C * loss) over all 2^C label vectors sums to 1
all_y = torch.tensor(list(itertools.product((0.0, 1.0), repeat=C)), dtype=torch.float64)
for i in range(N):
    z = logits[i].expand(len(all_y), C)
    per_vector = nn.MultiLabelSoftMarginLoss(reduction="none")(z, all_y)
    scaled_mass = torch.exp(-C * per_vector).sum()
    assert torch.isclose(scaled_mass, torch.tensor(1.0, dtype=torch.float64)), (
        "C * loss is the NLL of C independent Bernoullis"
    )
unscaled_mass = torch.exp(-per_vector).sum().item()  # without the factor C
assert unscaled_mass > 1.01, "the loss itself, without the factor C, does not normalise"
# --8<-- [end:bce]
print(f"sum over 2^{C} label vectors of exp(-loss) = {unscaled_mass:.3f}; of exp(-C loss) = 1")
