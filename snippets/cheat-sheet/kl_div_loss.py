"""KLDivLoss(input, target) is KL(target ‖ exp(input)) summed and divided by the batch size only with reduction="batchmean"; "mean" also divides by the number of classes.

Cheat sheet, the `KLDivLoss` row. The input must be log-probabilities of the
model q; the target is p (or log p with log_target=True). As a function of q
it is the cross-entropy minus H(p): the categorical NLL against soft targets.
"""

# %%
import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
N, C = 7, 5
p = torch.randn(N, C, dtype=torch.float64).mul(1.5).softmax(1)  # target
z = torch.randn(N, C, dtype=torch.float64)
log_q = z.log_softmax(1)  # model, as log-probabilities

# %%
# --8<-- [start:kl]
kl_rows = (p * (p.log() - log_q)).sum(1)  # KL(p_i ‖ q_i)
assert torch.allclose(nn.KLDivLoss(reduction="batchmean")(log_q, p), kl_rows.mean()), (
    "batchmean: the mean KL per sample"
)
assert torch.allclose(nn.KLDivLoss(reduction="mean")(log_q, p), kl_rows.mean() / C), (
    "mean: divided by N * C, a C times smaller number"
)
assert torch.allclose(
    nn.KLDivLoss(reduction="batchmean", log_target=True)(log_q, p.log()), kl_rows.mean()
), "log_target=True takes log p"
cross_entropy = F.cross_entropy(z, p)  # soft targets: -sum p log q, averaged
entropy = -(p * p.log()).sum(1).mean()
assert torch.allclose(kl_rows.mean(), cross_entropy - entropy), "KL = H(p, q) - H(p)"
swapped = nn.KLDivLoss(reduction="batchmean")(p.log(), log_q.exp())  # args swapped
assert not torch.allclose(swapped, kl_rows.mean()), "swapping the arguments gives KL(q ‖ p)"
# --8<-- [end:kl]
kl_batchmean = kl_rows.mean().item()
kl_mean = kl_batchmean / C
print(f"batchmean {kl_batchmean:.4f}, mean {kl_mean:.4f}")
