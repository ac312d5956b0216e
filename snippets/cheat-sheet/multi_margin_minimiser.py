"""MultiMarginLoss is the Weston–Watkins multi-class hinge: its expected value is minimised on a lattice of margins, so the minimiser forgets p and can tie the top class.

Cheat sheet, the `MultiMarginLoss` row. Not a likelihood: exp(-loss) does not
sum to a constant over the classes. What its minimiser keeps of p is checked
on a grid of scores, exactly (the expected loss is piecewise linear).
"""

# %%
import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
N, C, margin = 8, 3, 0.7
x = 2 * torch.randn(N, C, dtype=torch.float64)
y = torch.randint(0, C, (N,))

# %%
# --8<-- [start:formula]
x_y = x.gather(1, y[:, None])  # score of the true class
terms = torch.clamp(margin - x_y + x, min=0)  # one hinge per class j
terms = terms.scatter(1, y[:, None], 0.0)  # ... for j != y only
by_hand = terms.sum(dim=1) / C  # divided by C, not by C - 1
assert torch.allclose(
    nn.MultiMarginLoss(margin=margin, reduction="none")(x, y), by_hand
), "MultiMarginLoss = sum over j != y of max(0, margin - x_y + x_j), over C"

# the normalisation test: sum over the C classes of exp(-a * loss), for two
# scales a; a likelihood would give the same number for every row of x
for a in (1.0, 3.0):
    Z = sum(
        torch.exp(-a * nn.MultiMarginLoss(margin=margin, reduction="none")(
            x, torch.full((N,), k)))
        for k in range(C)
    )
    assert Z.max() - Z.min() > 1e-3, "the sum over classes depends on the scores"
# --8<-- [end:formula]

# %% [markdown]
# Every scale a and weight h > 0 at once: along the ray x = (s, 0, ..., 0),
# s >= margin, class 0 costs 0 and every other class costs
# w_j ((margin + s)^power + (C - 2) margin^power) / C, which grows with s.
# So Z(s) = h_0 + sum_j h_j exp(-a loss_j(s)) strictly falls. Checked for
# the default (power 1, no weight) and for p=2 with class weights.

# %%
# --8<-- [start:ray]
w = torch.rand(C, dtype=torch.float64) + 0.3  # class weights
s_ray = torch.tensor([margin, margin + 0.8, margin + 2.1], dtype=torch.float64)
ray = torch.zeros(len(s_ray), C, dtype=torch.float64)
ray[:, 0] = s_ray
for power, weight in ((1, None), (2, w)):
    mm = nn.MultiMarginLoss(p=power, margin=margin, weight=weight, reduction="none")
    ray_loss = torch.stack([mm(ray, torch.full((len(s_ray),), k)) for k in range(C)])  # (C, s)
    w_k = torch.ones(C, dtype=torch.float64) if weight is None else weight
    on_ray = w_k[1:, None] * ((margin + s_ray) ** power + (C - 2) * margin**power) / C
    assert (ray_loss[0] == 0).all() and torch.allclose(ray_loss[1:], on_ray.expand(C - 1, -1)), (
        "on the ray: class 0 costs 0, the others grow with s"
    )
    for a in (0.2, 1.0, 4.0):
        for h in (torch.ones(C, dtype=torch.float64), torch.rand(C, dtype=torch.float64) + 0.05):
            Z_ray = (h[:, None] * torch.exp(-a * ray_loss)).sum(0)
            assert (Z_ray.diff() < 0).all(), "Z falls along the ray, whatever a and h > 0"
# --8<-- [end:ray]

# %% [markdown]
# The minimiser of the expected loss, for margin 1 (scores shift-invariant, so
# fix the last at 0). Breakpoints are at integer score differences; a grid of
# step 0.05 contains every vertex in the box, and an interior minimum of a
# convex function is global.

# %%
# --8<-- [start:minimiser]
g = torch.arange(-60, 61, dtype=torch.float64) * 0.05  # [-3, 3], integers included
A, B = torch.meshgrid(g, g, indexing="ij")
scores = torch.stack([A.flatten(), B.flatten(), torch.zeros(A.numel(), dtype=torch.float64)], 1)
per_class = torch.stack([
    F.multi_margin_loss(scores, torch.full((len(scores),), k), reduction="none")
    for k in range(C)
])  # (C, grid)


def best_scores(p):
    expected = (torch.tensor(p, dtype=torch.float64)[:, None] * per_class).sum(0)
    best = expected.argmin()
    assert (expected < expected[best] + 1e-9).sum() == 1, "a unique minimiser on the grid"
    assert scores[best, :2].abs().max() < 3, "interior, so the global minimiser"
    return scores[best]


confident = best_scores((0.9, 0.05, 0.05))
uncertain = best_scores((0.34, 0.33, 0.33))
ranked = best_scores((0.6, 0.3, 0.1))
tied = best_scores((0.4, 0.35, 0.25))
one_zero = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
assert torch.allclose(confident, one_zero) and torch.allclose(uncertain, one_zero), (
    "p = (.9, .05, .05) and (.34, .33, .33) have the same minimiser (1, 0, 0)"
)
assert torch.allclose(ranked, torch.tensor([2.0, 1.0, 0.0], dtype=torch.float64)), (
    "p = (.6, .3, .1): scores (2, 1, 0), integer multiples of the margin"
)
assert torch.allclose(tied, torch.tensor([1.0, 1.0, 0.0], dtype=torch.float64)), (
    "p = (.4, .35, .25): classes 0 and 1 tie, the argmax is lost"
)
# --8<-- [end:minimiser]
print("minimisers:", confident.tolist(), uncertain.tolist(), ranked.tolist(), tied.tolist())
