"""Class weights change how CrossEntropyLoss averages and where its minimiser lies; pos_weight moves the Bernoulli minimiser from π to wπ/(wπ + 1 − π).

Chapter "Cross-entropy". With index targets and reduction='mean',
CrossEntropyLoss(weight=w) divides by the sum of the weights of the targets;
with probability targets it divides by N. A weighted NLL is the NLL of a
re-weighted data set, so its minimiser is no longer the class frequency.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, K = 40, 4
logits = torch.randn(N, K) * 1.5
y = torch.randint(0, K, (N,))
w = torch.tensor([0.3, 1.7, 2.9, 2.3])  # class weights

# %%
# --8<-- [start:averaging]
nll = -logits.log_softmax(dim=1)[torch.arange(N), y]  # per-example NLL
onehot = F.one_hot(y, K).double()
ce_index = nn.CrossEntropyLoss(weight=w)(logits, y)
ce_probs = nn.CrossEntropyLoss(weight=w)(logits, onehot)
ce_none = nn.CrossEntropyLoss(weight=w, reduction="none")(logits, y)
assert torch.isclose(ce_index, (w[y] * nll).sum() / w[y].sum()), (
    "index targets: Σ w_y ℓ / Σ w_y"
)
assert torch.isclose(ce_probs, (w[y] * nll).sum() / N), (
    "probability targets: Σ w_y ℓ / N"
)
assert torch.isclose(ce_none.mean(), ce_probs), "'none' then .mean() divides by N"
assert abs(ce_index - ce_probs) > 0.01, "the same labels, two different averages"
p_soft = torch.distributions.Dirichlet(torch.full((K,), 0.8)).sample((N,))
ce_soft = nn.CrossEntropyLoss(weight=w)(logits, p_soft)  # soft rows, not one-hot
soft_by_hand = (w * p_soft * -logits.log_softmax(dim=1)).sum() / N
assert torch.isclose(ce_soft, soft_by_hand), (
    "soft probability targets: Σ_i Σ_k w_k p_ik (−log q_ik) / N"
)
# --8<-- [end:averaging]
ratio = (ce_index / ce_probs).item()  # = N / Σ w_y for this batch

# %% [markdown]
# With label smoothing as well, the index path divides both terms by Σ w_y and
# weights the ε term by every class's weight; the probability path is the
# mixture target of the label-smoothing section, divided by N.

# %%
EPS = 0.13
log_q = logits.log_softmax(dim=1)
ls_index = F.cross_entropy(logits, y, weight=w, label_smoothing=EPS)
ls_index_by_hand = (
    (1 - EPS) * (w[y] * nll).sum() + EPS / K * -(log_q * w).sum()
) / w[y].sum()
ls_probs = F.cross_entropy(logits, (1 - EPS) * onehot + EPS / K, weight=w)
assert torch.isclose(ls_index, ls_index_by_hand), "smoothing + weight, index path"
assert not torch.isclose(ls_index, ls_probs), "and the probability path differs"

# %% [markdown]
# The two binary routes. With two classes, softmax cross-entropy on the logits
# (0, z) is BCEWithLogitsLoss on z. With the class weights (1, w) the two
# routes differ again in the denominator: CrossEntropyLoss(weight) divides by
# Σ_i w_{y_i}, BCEWithLogitsLoss(pos_weight=w) by N.

# %%
# --8<-- [start:binary-routes]
zb = torch.randn(N) * 2  # one logit per example
yb = torch.randint(0, 2, (N,))
two_logits = torch.stack([torch.zeros(N), zb], dim=1)  # softmax(0, z)_1 = σ(z)
assert torch.isclose(
    F.cross_entropy(two_logits, yb), F.binary_cross_entropy_with_logits(zb, yb.double())
), "2-logit cross-entropy = BCEWithLogitsLoss on the logit difference"
W_POS = 3.0
ce_two = F.cross_entropy(two_logits, yb, weight=torch.tensor([1.0, W_POS]))
bce_pw = F.binary_cross_entropy_with_logits(zb, yb.double(), pos_weight=torch.tensor(W_POS))
w_of_y = 1 + (W_POS - 1) * yb.double()  # w_{y_i}
assert torch.isclose(ce_two * w_of_y.sum() / N, bce_pw), (
    "same weighted sum; CrossEntropyLoss divides by Σ w_y, BCEWithLogitsLoss by N"
)
assert abs(ce_two - bce_pw) > 0.05, "so the two weighted means differ"
# --8<-- [end:binary-routes]
ce_two_weighted, bce_pos_weighted = ce_two.item(), bce_pw.item()

# %% [markdown]
# Where the weighted loss is minimised. A constant logit vector fitted to the
# labels alone: unweighted, softmax = class frequencies; weighted,
# softmax ∝ w_k · frequency_k (the normaliser Σ w_y does not depend on the
# logits, so both reductions share this minimiser on a full batch).

# %%
# --8<-- [start:minimiser]
freq = torch.bincount(y, minlength=K).double() / N
theta = torch.zeros(K, requires_grad=True)
opt = torch.optim.LBFGS(
    [theta], max_iter=200, tolerance_grad=1e-12, tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = F.cross_entropy(theta.expand(N, K), y, weight=w)
    loss.backward()
    return loss


opt.step(closure)
q_fit = theta.softmax(dim=0).detach()
assert torch.allclose(q_fit, w * freq / (w * freq).sum(), atol=1e-7), (
    "the weighted minimiser is ∝ w_k · frequency_k"
)
assert (q_fit - freq).abs().max() > 0.02, "not the class frequencies"
# --8<-- [end:minimiser]

# %% [markdown]
# pos_weight = w multiplies the positive terms of BCEWithLogitsLoss by w. On a
# population with P(y = 1) = π the expected loss is
# w·π·softplus(−z) + (1 − π)·softplus(z), minimised at σ(z) = wπ/(wπ + 1 − π).

# %%
# --8<-- [start:pos-weight]
PI = 0.23  # the true P(y = 1)
z_grid = torch.linspace(-8, 8, 320001)


def fitted_p(pos_weight):
    """σ(z*) for the constant logit z* minimising the expected weighted BCE."""
    pw = torch.tensor(pos_weight)
    risk = PI * F.binary_cross_entropy_with_logits(
        z_grid, torch.ones_like(z_grid), pos_weight=pw, reduction="none"
    ) + (1 - PI) * F.binary_cross_entropy_with_logits(
        z_grid, torch.zeros_like(z_grid), pos_weight=pw, reduction="none"
    )
    return torch.sigmoid(z_grid[risk.argmin()]).item()


for pw in (0.4, 3.7):
    p_star = pw * PI / (pw * PI + 1 - PI)
    assert abs(fitted_p(pw) - p_star) < 1e-4, "minimiser wπ/(wπ + 1 − π)"
    assert abs(p_star - PI) > 0.05, "not π"
    back = p_star / (pw * (1 - p_star) + p_star)
    assert abs(back - PI) < 1e-12, "π = p*/(w(1 − p*) + p*) undoes it"
w_balance = (1 - PI) / PI  # 'negatives / positives', the usual recipe
p_balanced = fitted_p(w_balance)
assert abs(p_balanced - 0.5) < 1e-4, "the balancing weight puts the minimiser at ½"
p_star_37 = 3.7 * PI / (3.7 * PI + 1 - PI)
# --8<-- [end:pos-weight]
print(f"index/probability ratio {ratio:.3f}; fitted {q_fit.numpy().round(3)}")
print(f"pos_weight 3.7: p* = {p_star_37:.4f}; balanced: {p_balanced:.4f}")
