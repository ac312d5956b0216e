"""MultiLabelMarginLoss takes class indices padded with -1, not a multi-hot vector; a multi-hot target is read as indices without an error.

Cheat sheet, the `MultiLabelMarginLoss` row. It is a ranking hinge: every
present label must beat every absent one by 1. Not a likelihood: exp(-loss)
does not sum to a constant over the label sets.
"""

# %%
import itertools

import torch
from torch import nn

SEED = 0
torch.manual_seed(SEED)
C = 5
x = 1.5 * torch.randn(1, C, dtype=torch.float64)
present = [3, 1]  # the label set {1, 3}

# %%
# --8<-- [start:formula]
def by_hand(scores, labels):
    """Sum over present j and absent i of max(0, 1 - (x_j - x_i)), over C."""
    absent = [i for i in range(C) if i not in labels]
    return sum(
        max(0.0, 1 - (scores[j] - scores[i]).item()) for j in labels for i in absent
    ) / C


loss = nn.MultiLabelMarginLoss()
indices = torch.tensor([present + [-1] * (C - len(present))])  # [[3, 1, -1, -1, -1]]
right = loss(x, indices).item()
assert abs(right - by_hand(x[0], present)) < 1e-12, "indices, -1 ends the list"

multi_hot = torch.zeros(1, C, dtype=torch.long)
multi_hot[0, present] = 1  # [[0, 1, 0, 1, 0]]: no -1, so all five entries are labels
wrong = loss(x, multi_hot).item()
assert abs(wrong - by_hand(x[0], [0, 1, 0, 1, 0])) < 1e-12, (
    "a multi-hot row is read as the index list 0, 1, 0, 1, 0"
)
assert abs(wrong - right) > 1e-6, "... and gives another number, silently"

# the empty set and the full set cost 0 for every x (nothing to rank), so a
# weight h that is 0 off the empty set would pass the test: h > 0 is needed
empty, full = torch.full((1, C), -1), torch.arange(C)[None]
assert loss(x, empty).item() == 0 and loss(x, full).item() == 0, "() and all: loss 0"
# --8<-- [end:formula]

# %% [markdown]
# The normalisation test for every scale a and weight h > 0 on all 2^C label
# sets: along the ray x = t e_0, t >= 1, a set that contains 0 (or is empty)
# has a constant loss, and a nonempty set without 0 has loss
# |Y| (C - |Y| + t) / C, which grows with t. So Z(t) strictly falls.

# %%
# --8<-- [start:ray]
sets = [list(s) for k in range(C + 1) for s in itertools.combinations(range(C), k)]
ts = torch.tensor([1.0, 1.7, 3.2], dtype=torch.float64)
ray_loss = torch.tensor([
    [loss(t * torch.eye(C, dtype=torch.float64)[:1],
          torch.tensor([s + [-1] * (C - len(s))])).item() for t in ts]
    for s in sets
], dtype=torch.float64)  # (2^C, t), from torch
grows = torch.tensor([len(s) > 0 and 0 not in s for s in sets])
size = torch.tensor([len(s) for s in sets], dtype=torch.float64)[:, None]
on_ray = size * (C - size + ts) / C  # each label loses 1 + t to label 0, 1 to the rest
assert torch.allclose(ray_loss[grows], on_ray[grows]), (
    "a nonempty set without label 0: |Y| (C - |Y| + t) / C"
)
assert (ray_loss[~grows] == ray_loss[~grows][:, :1]).all(), "the other sets: constant"
for a in (0.2, 1.0, 4.0):
    for h in (torch.ones(len(sets), dtype=torch.float64),
              torch.rand(len(sets), dtype=torch.float64) + 0.05):
        Z_ray = (h[:, None] * torch.exp(-a * ray_loss)).sum(0)
        assert (Z_ray.diff() < 0).all(), "Z falls along the ray, whatever a and h > 0"
n_sets = len(sets)
# --8<-- [end:ray]
print(f"right target: {right:.4f}; multi-hot target: {wrong:.4f}; Z falls along the ray over {n_sets} label sets")
