"""CTCLoss is the negative log of the probability of the label sequence, summed over every frame-level alignment that collapses to it.

Cheat sheet, the `CTCLoss` row (Graves et al., 2006). A brute-force sum over
all C^T paths on a tiny example, in float64, against `F.ctc_loss`; the
probabilities of all label sequences add up to 1, so it is a likelihood.
"""

# %%
import itertools
import math

import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
T, C, N = 5, 3, 2  # frames, classes (0 = blank), batch
log_probs = torch.randn(T, N, C, dtype=torch.float64).log_softmax(2)  # (T, N, C)


# %%
# --8<-- [start:brute]
def collapse(path):
    """Merge repeated symbols, then drop blanks: (1, 1, 0, 1, 2) -> (1, 1, 2)."""
    merged = [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]]
    return tuple(s for s in merged if s != 0)


def brute_nll(lp, target):
    """-log of the sum, over the C^T paths that collapse to target, of their probability."""
    total = 0.0
    for path in itertools.product(range(C), repeat=T):
        if collapse(path) == tuple(target):
            total += math.exp(sum(lp[t, s].item() for t, s in enumerate(path)))
    return -math.log(total) if total > 0 else math.inf


def torch_nll(lp, target):
    tgt = torch.tensor([target], dtype=torch.long).reshape(1, len(target))
    return F.ctc_loss(lp.unsqueeze(1), tgt, torch.tensor([T]),
                      torch.tensor([len(target)]), reduction="none").item()


# every label sequence over {1, 2} of length 0..T
targets = [list(s) for k in range(T + 1) for s in itertools.product((1, 2), repeat=k)]
for b in range(N):
    lp = log_probs[:, b]
    mass = 0.0
    for target in targets:
        ours, theirs = brute_nll(lp, target), torch_nll(lp, target)
        assert (math.isinf(ours) and math.isinf(theirs)) or abs(ours - theirs) < 1e-10, (
            f"CTC = -log sum over alignments, target {target}"
        )
        mass += math.exp(-theirs)
    assert abs(mass - 1) < 1e-12, "p(target | x) sums to 1 over all label sequences"
# --8<-- [end:brute]
n_targets = len(targets)
p_12 = math.exp(-torch_nll(log_probs[:, 0], [1, 2]))  # quoted on the page
print(f"{n_targets} label sequences, probabilities sum to 1; p([1, 2]) = {p_12:.4f}")

# %% [markdown]
# Gotchas: a target that needs more frames than there are (repeats need a
# blank between them) has probability 0 and loss inf unless zero_infinity=True;
# reduction="mean" divides each sequence's loss by its target length first.

# %%
# --8<-- [start:gotchas]
too_long = [1, 1, 2, 2]  # needs 1 _ 1 2 _ 2: six frames, there are five
assert math.isinf(torch_nll(log_probs[:, 0], too_long)), "infeasible target: inf"
scores = log_probs[:, :1].clone().requires_grad_()  # (T, 1, C)
for zero_inf in (False, True):
    scores.grad = None
    loss = F.ctc_loss(scores.log_softmax(2), torch.tensor([too_long]), torch.tensor([T]),
                      torch.tensor([len(too_long)]), reduction="sum", zero_infinity=zero_inf)
    loss.backward()
    if zero_inf:
        assert loss == 0 and (scores.grad == 0).all(), "zero_infinity: loss 0, gradient 0"
    else:
        assert scores.grad.isnan().all(), "without zero_infinity the gradient is nan"
tgt = torch.tensor([[1, 2, 2], [2, 0, 0]])  # padded; lengths say how much is used
lengths = torch.tensor([3, 1])
args = (log_probs, tgt, torch.tensor([T, T]), lengths)
per_seq = F.ctc_loss(*args, reduction="none")
mean_loss = F.ctc_loss(*args, reduction="mean")
per_token = per_seq / lengths
assert torch.isclose(mean_loss, per_token.mean()), (
    "reduction='mean' = mean over the batch of loss / target length"
)
assert not torch.isclose(mean_loss, per_seq.mean()), "not the mean NLL per sequence"
# --8<-- [end:gotchas]
