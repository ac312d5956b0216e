"""Cross-entropy is the categorical negative log-likelihood of the true class; CrossEntropyLoss takes logits.

Chapter "Losses are negative log-likelihoods", the categorical row of the table.
The network outputs K logits; the softmax turns them into the distribution's
K probabilities.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Categorical

SEED = 0
torch.manual_seed(SEED)
K = 5
logits = torch.randn(256, K, dtype=torch.float64) * 2
y = torch.randint(0, K, (256,))

# %%
# --8<-- [start:nll]
# -log softmax(z)_y
nll = torch.logsumexp(logits, dim=1) - logits[torch.arange(256), y]
assert torch.allclose(nll, -Categorical(logits=logits).log_prob(y)), (
    "categorical NLL formula"
)
assert torch.allclose(nll.mean(), nn.CrossEntropyLoss()(logits, y)), (
    "CrossEntropyLoss = mean NLL"
)
assert torch.allclose(
    nll.mean(), F.nll_loss(F.log_softmax(logits, dim=1), y)
), "= NLLLoss ∘ log_softmax"
# --8<-- [end:nll]

# %% [markdown]
# The classic bug: feeding probabilities instead of logits applies the softmax
# twice. The loss still decreases in training, but it is no longer the NLL.

# %%
# --8<-- [start:double-softmax]
probs = logits.softmax(dim=1)
double = nn.CrossEntropyLoss()(probs, y)
assert not torch.isclose(double, nll.mean()), (
    "probabilities into CrossEntropyLoss: wrong loss"
)
# Even a perfect, certain model cannot push it below log(K - 1 + e) - 1.
certain = torch.full((1, K), -50.0, dtype=torch.float64)
certain[0, 2] = 50.0
label = torch.tensor([2])
floor = math.log(K - 1 + math.e) - 1
proper = nn.CrossEntropyLoss()(certain, label)
twice = nn.CrossEntropyLoss()(certain.softmax(dim=1), label)
assert proper < 1e-12, "the real NLL of a certain, correct model is 0"
assert abs(twice - floor) < 1e-12, "double softmax: stuck at log(K-1+e)-1"
# --8<-- [end:double-softmax]

# %% [markdown]
# The estimator: a single softmax fitted to a sample of labels recovers the
# class frequencies (the MLE of a categorical).

# %%
theta = torch.zeros(K, dtype=torch.float64, requires_grad=True)
opt = torch.optim.LBFGS(
    [theta],
    max_iter=200,
    tolerance_grad=1e-12,
    tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = nn.CrossEntropyLoss()(theta.expand(256, K), y)
    loss.backward()
    return loss


opt.step(closure)
freq = torch.bincount(y, minlength=K).double() / 256
assert torch.allclose(theta.softmax(0), freq, atol=1e-6), (
    "CE's minimiser is the class frequencies"
)
print(
    "frequencies",
    freq.numpy().round(3),
    "fitted",
    theta.softmax(0).detach().numpy().round(3),
)

# %% [markdown]
# Class weights. With `weight=w` and the default reduction="mean",
# CrossEntropyLoss divides the weighted sum Σ w_{yᵢ} ℓᵢ by Σ w_{yᵢ}, not by N.
# Either way the weights change the minimiser: a softmax fitted to the labels
# then returns p_k ∝ w_k n_k, not the class frequencies n_k / N.

# %%
# --8<-- [start:weight]
w = torch.tensor([0.5, 1.0, 2.0, 3.5, 0.8], dtype=torch.float64)
weighted = nn.CrossEntropyLoss(weight=w)(logits, y)
by_weight_sum = (w[y] * nll).sum() / w[y].sum()
assert torch.isclose(weighted, by_weight_sum), "weight=: divides by Σ w_y"
assert not torch.isclose(weighted, (w[y] * nll).mean()), "not the mean of wℓ"

theta_w = torch.zeros(K, dtype=torch.float64, requires_grad=True)
opt_w = torch.optim.LBFGS(
    [theta_w],
    max_iter=200,
    tolerance_grad=1e-12,
    tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure_w():
    opt_w.zero_grad()
    loss = nn.CrossEntropyLoss(weight=w)(theta_w.expand(256, K), y)
    loss.backward()
    return loss


opt_w.step(closure_w)
counts = torch.bincount(y, minlength=K).double()
assert torch.allclose(
    theta_w.softmax(0), w * counts / (w * counts).sum(), atol=1e-6
), "with class weights the fit is p_k ∝ w_k n_k"
# --8<-- [end:weight]
