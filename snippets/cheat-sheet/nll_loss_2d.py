"""NLLLoss2d is NLLLoss: the deprecated class is a subclass that adds nothing, and NLLLoss on (N, C, H, W) log-probabilities is the per-pixel categorical NLL.

Cheat sheet, the `NLLLoss` and `NLLLoss2d` rows. NLLLoss wants
log-probabilities; it does no log_softmax of its own.
"""

# %%
import warnings

import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
N, C, H, W = 3, 4, 5, 6
logits = torch.randn(N, C, H, W, dtype=torch.float64)
y = torch.randint(0, C, (N, H, W))
w = torch.rand(C, dtype=torch.float64) + 0.2

# %%
# --8<-- [start:same]
log_q = logits.log_softmax(dim=1)  # classes on dim 1
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old = nn.NLLLoss2d(weight=w)  # warns: deprecated
assert any("deprecated" in str(c.message) for c in caught), "NLLLoss2d warns"
assert issubclass(nn.NLLLoss2d, nn.NLLLoss), "a subclass of NLLLoss"
assert torch.allclose(old(log_q, y), nn.NLLLoss(weight=w)(log_q, y)), "same number"

per_pixel = -log_q.gather(1, y[:, None]).squeeze(1)  # (N, H, W)
w_y = w[y]
assert torch.allclose(
    nn.NLLLoss(weight=w)(log_q, y), (w_y * per_pixel).sum() / w_y.sum()
), "weighted mean over pixels: divides by the sum of the targets' weights"
assert torch.allclose(
    nn.NLLLoss()(log_q, y), F.cross_entropy(logits, y)
), "NLLLoss after log_softmax is CrossEntropyLoss"
# --8<-- [end:same]
