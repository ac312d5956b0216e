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

# the normalisation test over all 2^C - 2 label sets with at least one present
# and one absent label: a likelihood gives the same sum for every x
sets = [list(s) for k in range(1, C) for s in itertools.combinations(range(C), k)]
masses = [
    sum(torch.exp(torch.tensor(-by_hand(scores, s))) for s in sets).item()
    for scores in (x[0], 3 * x[0], torch.zeros(C, dtype=torch.float64))
]
assert max(masses) - min(masses) > 1e-3, "the sum over label sets depends on x"
# --8<-- [end:formula]
print(f"right target: {right:.4f}; multi-hot target: {wrong:.4f}; mass over label sets:", [round(m, 3) for m in masses])
