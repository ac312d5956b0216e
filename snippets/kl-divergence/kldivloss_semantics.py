"""What `nn.KLDivLoss` computes: target·(log target − input), reduced four ways.

Chapter "KL divergence", section "KLDivLoss, argument by argument". With
input = log q and target = p, each element is p·(log p − log q), so the sum over
classes is KL(p ‖ q). 'batchmean' divides the total by the batch size,
'mean' by the number of elements, and log_target=True takes log p as target.
Each is compared with a KL written by hand at random (generic) distributions.
"""

# %%
import torch
import torch.nn as nn
import torch.nn.functional as F
import warnings

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, C = 5, 7
p = torch.distributions.Dirichlet(torch.full((C,), 0.7)).sample((N,))  # target
log_q = (1.3 * torch.randn(N, C)).log_softmax(-1)  # the model's log-probabilities


def kl_by_hand(p, log_q):
    """Σ_c p_c (log p_c − log q_c) per row, with 0·log 0 = 0."""
    terms = torch.where(p > 0, p * (p.log() - log_q), torch.zeros_like(p))
    return terms.sum(-1)


# %%
# --8<-- [start:reductions]
kl_rows = kl_by_hand(p, log_q)  # one KL(p_i ‖ q_i) per row
pointwise = nn.KLDivLoss(reduction="none")(log_q, p)
assert torch.allclose(pointwise, p * (p.log() - log_q), atol=1e-14), "elementwise p(log p − input)"
assert torch.allclose(pointwise.sum(-1), kl_rows, atol=1e-14), "a row sum is KL(p ‖ q)"

total = nn.KLDivLoss(reduction="sum")(log_q, p)
batchmean = nn.KLDivLoss(reduction="batchmean")(log_q, p)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # torch warns that 'mean' is not the KL
    mean = nn.KLDivLoss(reduction="mean")(log_q, p)
assert torch.isclose(total, kl_rows.sum(), atol=1e-13), "'sum' is the summed KL"
assert torch.isclose(batchmean, kl_rows.mean(), atol=1e-13), "'batchmean' is the mean KL per row"
assert torch.isclose(mean * N * C, total, atol=1e-13), "'mean' divides by N·C elements"
assert torch.isclose(batchmean / mean, torch.tensor(float(C)), atol=1e-12), "'mean' is C times too small"
# --8<-- [end:reductions]
kl_batchmean, kl_mean_default = batchmean.item(), mean.item()

# %%
# --8<-- [start:log_target]
with_log_target = nn.KLDivLoss(reduction="batchmean", log_target=True)(log_q, p.log())
assert torch.isclose(with_log_target, batchmean, atol=1e-13), "log_target=True takes log p"
# --8<-- [end:log_target]

# %%
# 'batchmean' divides by input.size(0) only: for a sequence of T distributions
# per example, shape (N, T, C), it is the KL summed over T, averaged over N.
T = 3
p_seq = torch.distributions.Dirichlet(torch.full((C,), 0.7)).sample((N, T))
log_q_seq = torch.randn(N, T, C).log_softmax(-1)
seq = F.kl_div(log_q_seq, p_seq, reduction="batchmean")
assert torch.isclose(seq, kl_by_hand(p_seq, log_q_seq).sum(-1).mean(), atol=1e-13), "batchmean: sum over T"
# and for one unbatched distribution, shape (C,), input.size(0) is C: the KL divided by C
one = F.kl_div(log_q[0], p[0], reduction="batchmean")
assert torch.isclose(one * C, kl_rows[0], atol=1e-13), "unbatched 'batchmean' is KL / C"
assert torch.isclose(F.kl_div(log_q[:1], p[:1], reduction="batchmean"), kl_rows[0], atol=1e-13), "(1, C) is the KL"
kl_unbatched_row0, kl_row0 = one.item(), kl_rows[0].item()

# %%
# --8<-- [start:zeros]
p0 = p.clone()
p0[:, :2] = 0.0  # two classes the target never uses
p0 = p0 / p0.sum(-1, keepdim=True)
plain = F.kl_div(log_q, p0, reduction="none")
assert (plain[:, :2] == 0).all(), "0·log 0 = 0: a zero target contributes exactly 0"
assert torch.allclose(plain.sum(-1), kl_by_hand(p0, log_q), atol=1e-14), "so the rows are still KL"
# the same zeros given as log p = −inf: exp(−inf)·(−inf − input) = 0·(−inf) = nan
logged = F.kl_div(log_q, p0.log(), reduction="none", log_target=True)
assert logged[:, :2].isnan().all() and not logged[:, 2:].isnan().any(), "log_target=True: nan at p = 0"
# and where q is 0 too (input −inf), even log_target=False gives 0·∞ = nan
log_q0 = log_q.clone()
log_q0[:, 0] = -float("inf")
assert F.kl_div(log_q0, p0, reduction="none")[:, 0].isnan().all(), "p = q = 0 gives nan, not 0"
# --8<-- [end:zeros]
print(f"batchmean {kl_batchmean:.4f}, mean {kl_mean_default:.4f}, ratio {kl_batchmean / kl_mean_default:.1f}")
