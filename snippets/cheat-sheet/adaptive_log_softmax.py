"""AdaptiveLogSoftmaxWithLoss is an exact categorical NLL: a head softmax over frequent classes and clusters times a softmax within each cluster, normalised over all classes.

Cheat sheet, the `AdaptiveLogSoftmaxWithLoss` row (Grave et al., 2017). It is
an nn.Module, not a _Loss subclass, and forward returns a named tuple
(output, loss), where output is the target's log-probability.
"""

# %%
import torch
from torch import nn

SEED = 0
torch.manual_seed(SEED)
N, D, n_classes, cutoffs = 10, 16, 30, [5, 12]  # shortlist 0-4, clusters 5-11, 12-29
asm = nn.AdaptiveLogSoftmaxWithLoss(D, n_classes, cutoffs, div_value=2.0).double()
h = torch.randn(N, D, dtype=torch.float64)
y = torch.randint(0, n_classes, (N,))

# %%
# --8<-- [start:normalised]
log_p = asm.log_prob(h)  # (N, n_classes)
assert torch.allclose(log_p.exp().sum(1), torch.ones(N, dtype=torch.float64)), (
    "each row is a distribution over all classes"
)

# the factorisation: log p(c) = log p_head(cluster of c) + log p(c | cluster)
head = asm.head(h).log_softmax(1)  # 5 shortlist classes, then 2 clusters
starts, ends = [5, 12], [12, 30]
for k, (lo, hi) in enumerate(zip(starts, ends)):
    within = asm.tail[k](h).log_softmax(1)  # (N, hi - lo)
    assert torch.allclose(log_p[:, lo:hi], head[:, 5 + k : 6 + k] + within), (
        "tail class: head's cluster log-prob plus the within-cluster log-prob"
    )
assert torch.allclose(log_p[:, :5], head[:, :5]), "shortlist: straight from the head"

out = asm(h, y)  # a named tuple, not a tensor
assert torch.allclose(out.output, log_p.gather(1, y[:, None]).squeeze(1)), (
    ".output is log p(target), not logits"
)
assert torch.allclose(out.loss, -out.output.mean()), ".loss is the mean NLL"
# --8<-- [end:normalised]
mean_nll = out.loss.item()
print(f"mean NLL {mean_nll:.3f}; rows of exp(log_prob) sum to 1")
