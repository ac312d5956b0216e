"""Label smoothing is cross-entropy against the mixture target (1 − ε)·onehot + ε/K·uniform, so its minimiser is that mixture, with finite logits.

Chapter "Cross-entropy". `label_smoothing=ε` in CrossEntropyLoss does not add a
regulariser to the likelihood of the labels: it replaces each label by a soft
target, and the loss is then minimised where the model reproduces that target.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch.distributions import Categorical

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, K, EPS = 64, 7, 0.13
logits = torch.randn(N, K) * 2
y = torch.randint(0, K, (N,))

# %%
# --8<-- [start:mixture]
onehot = F.one_hot(y, K).double()
mixture = (1 - EPS) * onehot + EPS / K  # true class: 1 − ε + ε/K
smoothed = F.cross_entropy(logits, y, label_smoothing=EPS)
against_mixture = F.cross_entropy(logits, mixture)  # probability targets
log_q = logits.log_softmax(dim=1)
by_hand = ((1 - EPS) * -log_q[torch.arange(N), y] - EPS * log_q.mean(dim=1)).mean()
assert torch.isclose(smoothed, against_mixture), (
    "label_smoothing=ε is CE against (1 − ε)·onehot + ε/K"
)
assert torch.isclose(smoothed, by_hand), "= (1 − ε)·NLL + ε·mean_k(−log q_k)"
# --8<-- [end:mixture]

# %% [markdown]
# label_smoothing also applies to probability targets: the target p becomes
# (1 − ε)·p + ε/K. Soft targets that were already smoothed are smoothed twice.

# %%
# --8<-- [start:soft-smoothing]
p_soft = torch.distributions.Dirichlet(torch.full((K,), 0.7)).sample((N,))
smoothed_soft = F.cross_entropy(logits, p_soft, label_smoothing=EPS)
assert torch.isclose(smoothed_soft, F.cross_entropy(logits, (1 - EPS) * p_soft + EPS / K)), (
    "with probability targets, label_smoothing=ε mixes p with the uniform"
)
twice = F.cross_entropy(logits, mixture, label_smoothing=EPS)
assert not torch.isclose(twice, smoothed), "smoothing a smoothed target: twice"
# --8<-- [end:soft-smoothing]

# %% [markdown]
# Another convention in use gives the true class 1 − ε and each other class
# ε/(K − 1). torch does not use it.

# %%
off = torch.full((N, K), EPS / (K - 1))
off[torch.arange(N), y] = 1 - EPS
assert not torch.isclose(smoothed, F.cross_entropy(logits, off)), (
    "torch spreads ε over all K classes, not over the K − 1 others"
)

# %% [markdown]
# The minimiser. Fit one free logit vector to a single example of class 0.

# %%
# --8<-- [start:minimiser]
z = torch.zeros(1, K, requires_grad=True)
label = torch.tensor([0])
opt = torch.optim.LBFGS(
    [z], max_iter=200, tolerance_grad=1e-12, tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = F.cross_entropy(z, label, label_smoothing=EPS)
    loss.backward()
    return loss


opt.step(closure)
q_star = z.softmax(dim=1)[0].detach()
target = (1 - EPS) * F.one_hot(label, K)[0].double() + EPS / K
assert torch.allclose(q_star, target, atol=1e-8), "q* = the mixture target"
gap = (z[0, 0] - z[0, 1:]).detach()
gap_theory = math.log(1 + K * (1 - EPS) / EPS)  # log(q*_y / q*_k)
assert torch.allclose(gap, torch.full_like(gap, gap_theory), atol=1e-6), (
    "the logit gap stops at log(1 + K(1 − ε)/ε)"
)
loss_min = F.cross_entropy(z, label, label_smoothing=EPS).item()
h_target = Categorical(probs=target).entropy().item()
assert abs(loss_min - h_target) < 1e-10, "the minimum is H(target) > 0"
top_prob = q_star[0].item()  # 1 − ε + ε/K: the most confident it will get
# --8<-- [end:minimiser]

# %% [markdown]
# Exercise 1: the same fit with K = 1000 classes and ε = 0.1. The gap that
# torch's label_smoothing settles at is log(1 + 1000 · 0.9 / 0.1) = log 9001.

# %%
z_big = torch.zeros(1, 1000, requires_grad=True)
opt = torch.optim.LBFGS(
    [z_big], max_iter=200, tolerance_grad=1e-12, tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure_big():
    opt.zero_grad()
    loss = F.cross_entropy(z_big, label, label_smoothing=0.1)
    loss.backward()
    return loss


opt.step(closure_big)
gaps_big = (z_big[0, 0] - z_big[0, 1:]).detach()
gap_k1000 = gaps_big.mean().item()
assert (gaps_big - math.log(9001)).abs().max() < 1e-4, (
    "K = 1000, ε = 0.1: every logit gap is log 9001"
)

# %% [markdown]
# Over many labels the same holds on average: a constant logit vector fitted to
# the N labels with smoothing reproduces (1 − ε)·frequency + ε/K, so the true
# frequencies can be read back as (q* − ε/K)/(1 − ε).

# %%
# --8<-- [start:population]
theta = torch.zeros(K, requires_grad=True)
opt = torch.optim.LBFGS(
    [theta], max_iter=200, tolerance_grad=1e-12, tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure_all():
    opt.zero_grad()
    loss = F.cross_entropy(theta.expand(N, K), y, label_smoothing=EPS)
    loss.backward()
    return loss


opt.step(closure_all)
freq = torch.bincount(y, minlength=K).double() / N
q_fit = theta.softmax(dim=0).detach()
assert torch.allclose(q_fit, (1 - EPS) * freq + EPS / K, atol=1e-7), (
    "the smoothed minimiser is (1 − ε)·frequency + ε/K"
)
assert torch.allclose((q_fit - EPS / K) / (1 - EPS), freq, atol=1e-6), (
    "and the frequencies come back as (q* − ε/K)/(1 − ε)"
)
# --8<-- [end:population]

# %% [markdown]
# Contrast: a noisy-label *likelihood*, in which the observed label is the true
# one with probability 1 − ε and uniform otherwise, has NLL
# −log((1 − ε) q_y + ε/K). It keeps decreasing as the gap grows: its minimiser
# is still the one-hot q, not the mixture.

# %%
# --8<-- [start:noisy-label]
gaps = torch.tensor([1.0, gap_theory, 7.0, 12.0, 20.0])  # increasing
z_gap = torch.zeros(len(gaps), K)
z_gap[:, 0] = gaps
q_y = z_gap.softmax(dim=1)[:, 0]
noisy_nll = -torch.log((1 - EPS) * q_y + EPS / K)
smooth_at_gap = F.cross_entropy(
    z_gap, torch.zeros(len(gaps), dtype=torch.long),
    label_smoothing=EPS, reduction="none",
)
assert (noisy_nll.diff() < 0).all(), "the noisy-label NLL decreases in the gap"
assert smooth_at_gap.argmin() == 1, "label smoothing is lowest at the finite gap"
# --8<-- [end:noisy-label]

# %% [markdown]
# torch 2.x handles ignored targets correctly with smoothing (an old bug,
# pytorch#73205, counted them in the ε term).

# %%
y_ignored = y.clone()
y_ignored[:9] = -100
with_ignored = F.cross_entropy(logits, y_ignored, label_smoothing=EPS)
kept_only = F.cross_entropy(logits[9:], y[9:], label_smoothing=EPS)
assert torch.isclose(with_ignored, kept_only), "ignored rows drop out entirely"
print(f"q* top = {top_prob:.4f}, logit gap = {gap_theory:.3f}, min = {loss_min:.4f}")
