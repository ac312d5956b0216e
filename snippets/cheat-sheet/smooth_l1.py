"""SmoothL1Loss(beta) is HuberLoss(delta=beta) divided by beta, so it has Huber's minimiser; at beta = 0 it is L1Loss, where HuberLoss(delta=0) is an error.

Cheat sheet, the `SmoothL1Loss` row. Chapter 3 derives Huber's density; here the
check is the identity with HuberLoss, elementwise, at two betas that are not 0
or 1, and what happens at beta = 0.
"""

# %%
import torch
from torch import nn

SEED = 0
torch.manual_seed(SEED)
pred = 2 * torch.randn(200, dtype=torch.float64)
target = 2 * torch.randn(200, dtype=torch.float64)

# %%
# --8<-- [start:huber]
for beta in (0.37, 2.3):  # residuals fall on both sides of each beta
    smooth = nn.SmoothL1Loss(beta=beta, reduction="none")(pred, target)
    huber = nn.HuberLoss(delta=beta, reduction="none")(pred, target)
    r = (pred - target).abs()
    by_hand = torch.where(r < beta, 0.5 * r**2 / beta, r - 0.5 * beta)
    assert torch.allclose(smooth, by_hand), "SmoothL1: r^2 / (2 beta) inside, |r| - beta/2 outside"
    assert torch.allclose(smooth, huber / beta), "SmoothL1Loss(beta) = HuberLoss(delta=beta) / beta"

# beta = 0: the quadratic zone vanishes and SmoothL1Loss is L1Loss, while
# HuberLoss(delta=0), its "HuberLoss / beta" form, is refused
l1_at_zero = nn.SmoothL1Loss(beta=0.0)(pred, target)
assert torch.allclose(l1_at_zero, nn.L1Loss()(pred, target)), "beta = 0: L1Loss"
try:
    nn.HuberLoss(delta=0.0)(pred, target)
    huber_zero_raises = False
except RuntimeError:
    huber_zero_raises = True
assert huber_zero_raises, "HuberLoss(delta=0) raises a RuntimeError"
# --8<-- [end:huber]
print(f"SmoothL1Loss(beta) = HuberLoss(beta) / beta; at beta = 0 it is L1Loss ({l1_at_zero.item():.4f})")
