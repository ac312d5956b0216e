"""Six ways to call torch's cross-entropy losses wrongly, each with the number it silently returns next to the right one.

Chapter "Cross-entropy", section "In torch". Each block makes one mistake that
people make in practice, asserts the symptom, and asserts the fix.
"""

# %%
import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float32)
N, K = 16, 5
logits = torch.randn(N, K) * 2
y = torch.randint(0, K, (N,))
right = F.cross_entropy(logits, y)  # the categorical NLL, averaged

# %% [markdown]
# 1. Probabilities where logits belong. CrossEntropyLoss applies log_softmax
# itself; given softmax outputs it applies it twice. NLLLoss expects
# log-probabilities; given probabilities it returns −mean q_y, a negative
# number, without complaint. Log-probabilities into CrossEntropyLoss, on the
# other hand, are harmless: log_softmax of a log_softmax changes nothing.

# %%
# --8<-- [start:probabilities]
probs = logits.softmax(dim=1)
double_softmax = F.cross_entropy(probs, y)
nll_on_probs = F.nll_loss(probs, y)
assert abs(double_softmax - right) > 0.1, "softmax into CrossEntropyLoss: wrong"
assert nll_on_probs < 0, "probabilities into NLLLoss: a negative 'loss'"
assert torch.isclose(nll_on_probs, -probs[torch.arange(N), y].mean()), (
    "it is −mean q_y"
)
log_probs = logits.log_softmax(dim=1)
assert torch.isclose(F.cross_entropy(log_probs, y), right), (
    "log-probabilities into CrossEntropyLoss: the same loss"
)
assert torch.isclose(F.nll_loss(log_probs, y), right), "NLLLoss ∘ log_softmax"
# --8<-- [end:probabilities]
loss_right, loss_double = right.item(), double_softmax.item()
loss_nll_probs = nll_on_probs.item()

# %% [markdown]
# 2. Integer labels into BCEWithLogitsLoss. The target must be floating point.

# %%
# --8<-- [start:dtype]
z = torch.randn(N)
labels = torch.randint(0, 2, (N,))  # int64, straight from a dataset
try:
    F.binary_cross_entropy_with_logits(z, labels)
    raised = False
except RuntimeError:
    raised = True
assert raised, "an integer target raises a RuntimeError"
fixed = F.binary_cross_entropy_with_logits(z, labels.float())
assert fixed > 0, "cast the target with .float()"
try:  # CrossEntropyLoss: class indices must be int64 (or uint8)
    F.cross_entropy(logits, y.to(torch.int32))  # int32, e.g. from numpy
    int32_raised = False
except RuntimeError:
    int32_raised = True
assert int32_raised, "int32 class indices raise"
assert torch.isclose(F.cross_entropy(logits, y.to(torch.uint8)), right), "uint8 works"
# --8<-- [end:dtype]

# %% [markdown]
# 3. Pixels in 0…255. BCELoss checks its target and raises; BCEWithLogitsLoss
# does not, and its loss then has no minimum: the slope σ(z) − 255 is negative
# for every z, so training pushes z up for ever and the loss goes negative.

# %%
# --8<-- [start:pixels]
raw = torch.tensor([255.0])
try:
    F.binary_cross_entropy(torch.tensor([0.5]), raw)
    bce_raised = False
except RuntimeError:
    bce_raised = True
assert bce_raised, "BCELoss rejects a target outside [0, 1]"
zs = torch.tensor([0.0, 5.0, 10.0, 20.0])
unbounded = F.binary_cross_entropy_with_logits(zs, raw.expand(4), reduction="none")
assert (unbounded.diff() < 0).all() and unbounded[-1] < -1000, (
    "BCEWithLogitsLoss on 255: negative and still falling"
)
scaled = F.binary_cross_entropy_with_logits(zs, (raw / 255).expand(4), reduction="none")
assert (scaled > 0).all(), "divide by 255 first"
# --8<-- [end:pixels]
loss_255 = unbounded[2].item()  # at z = 10

# %% [markdown]
# 4. Multi-hot targets into CrossEntropyLoss, for a multi-label task. It accepts
# them as "probabilities" without checking that they sum to 1, and −Σ t_k log q_k
# is minimised at q = t / Σ t: two present labels get probability ½ each.
# Multi-label needs one Bernoulli per label: BCEWithLogitsLoss.

# %%
# --8<-- [start:multi-hot]
t = torch.tensor([[1.0, 0.0, 1.0, 0.0, 0.0]])  # labels 0 and 2 both present
theta = torch.zeros(1, K, requires_grad=True)
opt = torch.optim.LBFGS([theta], max_iter=100, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = F.cross_entropy(theta, t)
    loss.backward()
    return loss


opt.step(closure)
q_multi = theta.softmax(dim=1).detach()[0]
assert torch.allclose(q_multi[[0, 2]], torch.tensor(0.5), atol=1e-3), (
    "softmax + multi-hot: each present label gets ½"
)
per_label = torch.sigmoid(torch.tensor([8.0, -8.0, 8.0, -8.0, -8.0]))
bce_multi = F.binary_cross_entropy_with_logits(torch.logit(per_label), t[0])
assert bce_multi < 0.01, "one Bernoulli per label can say 'both, surely'"
# --8<-- [end:multi-hot]

# %% [markdown]
# 5. Sequences laid out as (N, T, K). CrossEntropyLoss wants the classes in
# dimension 1: (N, K, T) with targets (N, T). If T ≠ K the wrong layout raises;
# if T = K it runs, and reads the time axis as the class axis.

# %%
# --8<-- [start:layout]
T_len = K  # a sequence exactly as long as the number of classes
seq_y = torch.randint(0, K, (4, T_len))
# (N, T, K), the usual model output, from a model that is mostly right
seq_logits = 3 * F.one_hot(seq_y, K).float() + torch.randn(4, T_len, K)
correct = F.cross_entropy(seq_logits.permute(0, 2, 1), seq_y)  # (N, K, T)
flat = F.cross_entropy(seq_logits.reshape(-1, K), seq_y.reshape(-1))
silent = F.cross_entropy(seq_logits, seq_y)  # no error, wrong axis
assert torch.isclose(correct, flat), "permute(0, 2, 1) = flatten to (N·T, K)"
assert silent > correct + 0.5, "the (N, T, K) call is silently different"
# --8<-- [end:layout]

# %% [markdown]
# pos_weight broadcasts against the last dimension, not the class dimension.
# For (N, C, H, W) logits a pos_weight of shape (C,) raises if W ≠ C and
# silently weights the width axis if W = C; view it as (C, 1, 1).

# %%
# --8<-- [start:pos-weight-shape]
C = 3
pw = torch.tensor([1.0, 4.0, 9.0])
seg_z = torch.randn(2, C, 5, C)  # W = C: broadcasting succeeds
seg_t = torch.zeros(2, C, 5, C)
seg_t[:, 2] = (torch.rand(2, 5, C) < 0.7).float()  # class 2 (weight 9) is present
per_width = F.binary_cross_entropy_with_logits(seg_z, seg_t, pos_weight=pw)
per_class = F.binary_cross_entropy_with_logits(seg_z, seg_t, pos_weight=pw.view(C, 1, 1))
by_hand_pw = -(pw.view(C, 1, 1) * seg_t * F.logsigmoid(seg_z)
               + (1 - seg_t) * F.logsigmoid(-seg_z)).mean()
assert torch.isclose(per_class, by_hand_pw), "pos_weight.view(C, 1, 1): per class"
assert abs(per_width - per_class) > 0.01, "pos_weight of shape (C,): per column"
try:
    F.binary_cross_entropy_with_logits(
        torch.randn(2, C, 5, 4), torch.ones(2, C, 5, 4), pos_weight=pw
    )  # W = 4 ≠ C
    shape_raised = False
except RuntimeError:
    shape_raised = True
assert shape_raised, "W ≠ len(pos_weight): a shape error"
# --8<-- [end:pos-weight-shape]
loss_pw_width, loss_pw_class = per_width.item(), per_class.item()

# %% [markdown]
# ignore_index. With index targets, ignored positions drop out of the sum and
# of the count; a batch with no kept position returns 0/0 = nan. With
# probability targets, a negative ignore_index (the default −100) is accepted
# and ignores nothing; a non-negative one raises.

# %%
# --8<-- [start:ignore-index]
all_ignored = F.cross_entropy(logits[:3], torch.full((3,), -100))
assert torch.isnan(all_ignored), "every target ignored: nan"
q_targets = logits.softmax(dim=1)
assert torch.isclose(
    F.cross_entropy(logits, q_targets, ignore_index=-1), F.cross_entropy(logits, q_targets)
), "probability targets: a negative ignore_index is silently unused"
try:
    F.cross_entropy(logits, q_targets, ignore_index=0)
    ii_raised = False
except RuntimeError:
    ii_raised = True
assert ii_raised, "probability targets: ignore_index ≥ 0 raises"
# --8<-- [end:ignore-index]

# %% [markdown]
# Gradient accumulation with padding. Two micro-batches with different numbers
# of kept tokens: the mean of their means weights every token of the short
# one more. The global token mean is the summed loss over the total count.

# %%
# --8<-- [start:accumulation]
tok_y = torch.randint(0, K, (12,))
tok_y[[1, 2, 3, 4, 5, 7]] = -100  # padding: micro-batch 1 keeps 1 token, 2 keeps 5
tok_logits = torch.randn(12, K)
tok_logits[0, tok_y[0]] += 6.0  # the short micro-batch's token is easy
micro = (slice(0, 6), slice(6, 12))
mean_of_means = sum(F.cross_entropy(tok_logits[m], tok_y[m]) for m in micro) / 2
n_kept = (tok_y != -100).sum()
global_mean = sum(
    F.cross_entropy(tok_logits[m], tok_y[m], reduction="sum") for m in micro
) / n_kept
assert torch.isclose(global_mean, F.cross_entropy(tok_logits, tok_y)), (
    "sum per micro-batch / global count = the token mean of the whole batch"
)
assert abs(mean_of_means - global_mean) > 0.01, "the mean of means is not"
# --8<-- [end:accumulation]
accum_wrong, accum_right = mean_of_means.item(), global_mean.item()

# %% [markdown]
# 6. reduction='none' followed by .mean(), with class weights: it divides by N,
# while reduction='mean' divides by the summed weights of the targets.

# %%
# --8<-- [start:weighted-mean]
w = torch.tensor([1.2, 2.0, 3.0, 1.5, 2.6])  # all > 1, so Σ w_y > N
per_example = F.cross_entropy(logits, y, weight=w, reduction="none")
assert not torch.isclose(per_example.mean(), F.cross_entropy(logits, y, weight=w)), (
    "'none'.mean() ≠ 'mean' when weights are given"
)
assert torch.isclose(
    per_example.sum() / w[y].sum(), F.cross_entropy(logits, y, weight=w)
), "'mean' = Σ w_y ℓ / Σ w_y"
# --8<-- [end:weighted-mean]
print(f"right {loss_right:.3f}, double softmax {loss_double:.3f}, "
      f"NLLLoss on probabilities {loss_nll_probs:.3f}, 255-target at z=10 {loss_255:.0f}")
