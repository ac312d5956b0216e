"""CTCLoss is the negative log of the probability of the label sequence, summed over every frame-level alignment that collapses to it.

Cheat sheet, the `CTCLoss` row (Graves et al., 2006). A brute-force sum over
all C^T paths on a tiny example, in float64, against `F.ctc_loss`; the
probabilities of all label sequences add up to 1, so it is a likelihood. Its
family is restricted (frames independent given x), so its minimiser is the
closest member of that family, which a two-frame example shows is not the
true distribution.
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
token_mean = per_seq.sum() / lengths.sum()  # what a per-token average would be
assert not torch.isclose(mean_loss, token_mean), "nor the NLL per token of the batch"
# --8<-- [end:gotchas]
ctc_mean, ctc_token_mean = mean_loss.item(), token_mean.item()  # quoted on the page
ctc_seq_mean = per_seq.mean().item()
print(f"'mean' {ctc_mean:.4f}; per token {ctc_token_mean:.4f}; per sequence {ctc_seq_mean:.4f}")

# %% [markdown]
# The minimiser is the closest member of the CTC family, not the true
# distribution. T = 2 frames, C = 3: the true p puts 1/2 on () and 1/2 on
# (1, 2). CTC gives () the probability q1(0) q2(0) and (1, 2) the probability
# q1(1) q2(2); these cannot both be 1/2, and the expected loss is at least
# 2 log 2, attained at q1 = (1/2, 1/2, 0), q2 = (1/2, 0, 1/2).

# %%
# --8<-- [start:projection]
def sequence_nll(lp, target):
    """CTC loss of one target for every column of a (T, n, C) batch of log-probabilities."""
    n = lp.shape[1]
    tgt = torch.tensor([target] * n, dtype=torch.long).reshape(n, len(target))
    return F.ctc_loss(lp, tgt, torch.full((n,), lp.shape[0]), torch.full((n,), len(target)),
                      reduction="none")


true_p = {(): 0.5, (1, 2): 0.5}  # the data: two label sequences, half each
entropy = math.log(2)  # of true_p: what an exact fit would reach


def expected_ctc(lp):
    return sum(w * sequence_nll(lp, list(seq)) for seq, w in true_p.items())


best = torch.tensor([[[0.5, 0.5, 0.0]], [[0.5, 0.0, 0.5]]], dtype=torch.float64).log()
floor = 2 * math.log(2)  # a c = b d = 1/4 at best
assert abs(expected_ctc(best).item() - floor) < 1e-12, "the best CTC fit: 2 log 2"
fit = {seq: math.exp(-sequence_nll(best, list(seq)).item()) for seq in [(), (1,), (2,), (1, 2)]}
assert all(abs(q - 0.25) < 1e-12 for q in fit.values()), (
    "the best fit spreads 1/4 over (), (1), (2), (1, 2): half on sequences that never occur"
)
random_lp = (3 * torch.randn(2, 4000, C, dtype=torch.float64)).log_softmax(2)  # (T, n, C)
assert (expected_ctc(random_lp) >= floor - 1e-12).all(), "no per-frame output does better"
assert floor > entropy + 0.5, "the minimum is above the entropy: the true p is out of reach"
# --8<-- [end:projection]
ctc_floor = floor
print(f"best expected CTC loss {floor:.4f} > entropy {entropy:.4f}; fit {fit}")
