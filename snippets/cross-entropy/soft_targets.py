"""Cross-entropy against a soft target p is H(p) + KL(p‖q): its minimum over q is the entropy H(p), reached at q = p, not 0.

Chapter "Cross-entropy". CrossEntropyLoss accepts a row of class probabilities
as the target; BCEWithLogitsLoss accepts a probability in [0, 1]. Both then
compute −Σ_k p_k log q_k, whose floor is H(p) > 0 unless p is one-hot.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch.distributions import Bernoulli, Categorical, Dirichlet, kl_divergence

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, K = 8, 5
p = Dirichlet(torch.full((K,), 1.5)).sample((N,))  # soft targets, one per row
logits = torch.randn(N, K) * 2  # the model's output
q = logits.softmax(dim=1)

# %%
# --8<-- [start:decomposition]
ce = F.cross_entropy(logits, p, reduction="none")  # probability targets
entropy = Categorical(probs=p).entropy()  # H(p)
kl = kl_divergence(Categorical(probs=p), Categorical(probs=q))  # KL(p‖q)
assert torch.allclose(ce, -(p * q.log()).sum(dim=1)), (
    "with probability targets, CrossEntropyLoss is −Σ p_k log q_k"
)
assert torch.allclose(ce, entropy + kl), "CE(p, q) = H(p) + KL(p‖q)"
z = logits.clone().requires_grad_()
(grad,) = torch.autograd.grad(F.cross_entropy(z, p, reduction="sum"), z)
assert torch.allclose(grad, q - p), "its gradient in the logits is q − p"
# --8<-- [end:decomposition]

# %% [markdown]
# Minimise over the logits: the loss stops at H(p), with q = p.

# %%
# --8<-- [start:minimum]
z = torch.zeros(N, K, requires_grad=True)
opt = torch.optim.LBFGS(
    [z], max_iter=500, tolerance_grad=1e-12, tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = F.cross_entropy(z, p, reduction="sum")
    loss.backward()
    return loss


opt.step(closure)
ce_min = F.cross_entropy(z, p, reduction="none").detach()
assert torch.allclose(z.softmax(dim=1), p, atol=1e-6), "the minimiser is q = p"
assert torch.allclose(ce_min, entropy, atol=1e-10), "the minimum is H(p)"
assert (entropy > 0.1).all(), "and H(p) > 0: the loss never reaches 0"
# --8<-- [end:minimum]
h_row0 = entropy[0].item()  # quoted on the page

# %% [markdown]
# The KL part, with KLDivLoss. Its input is the model's log-probabilities and
# its target the probabilities p (the reverse of the reading order of
# KL(p‖q)). reduction="batchmean" divides the summed KL by N; the default
# "mean" divides by N·K as well.

# %%
# --8<-- [start:kl-div]
log_q = logits.log_softmax(dim=1)
kl_batchmean = F.kl_div(log_q, p, reduction="batchmean")
kl_default = F.kl_div(log_q, p)  # reduction="mean": torch warns about it
assert torch.isclose(kl_batchmean, kl.mean()), "batchmean = mean over rows of KL(p‖q)"
assert torch.isclose(kl_default, kl.mean() / K), "'mean' divides by N·K, not N"
assert torch.isclose(kl_batchmean, ce.mean() - entropy.mean()), "= loss − H(p)"
# --8<-- [end:kl-div]
kl_mean_right, kl_mean_default = kl_batchmean.item(), kl_default.item()

# %% [markdown]
# Distillation (Hinton et al., 2015) softens both teacher and student logits
# with a temperature T and multiplies the soft loss by T², because the gradient
# in the student's logits is (q_T − p_T)/T, which for large T is close to
# (s − t)/(K T²) when both logit vectors have mean zero.

# %%
# --8<-- [start:distillation]
TEMP = 50.0
teacher = torch.randn(K) * 2
teacher = teacher - teacher.mean()  # zero-mean logits, as in Hinton et al.
student = (torch.randn(K) * 2).requires_grad_()
p_t = (teacher / TEMP).softmax(dim=0)  # the softened teacher: the new floor H(p_T)
soft = F.cross_entropy(student / TEMP, p_t) * TEMP**2
(g_student,) = torch.autograd.grad(soft, student)
s0 = student.detach() - student.detach().mean()
scale = (s0 - teacher).abs().max() / K
assert ((g_student - (s0 - teacher) / K).abs() < 0.1 * scale).all(), (
    "T² · CE(softmax(t/T), softmax(s/T)) has the gradient ≈ (s − t)/K for large T"
)
# --8<-- [end:distillation]

# %% [markdown]
# Perplexity is exp of the mean cross-entropy: a uniform guess over K classes
# has perplexity K.

# %%
ppl_uniform = math.exp(F.cross_entropy(torch.zeros(N, K), torch.randint(0, K, (N,))).item())
assert abs(ppl_uniform - K) < 1e-9, "perplexity of the uniform prediction = K"

# %% [markdown]
# The binary case: BCEWithLogitsLoss with a target t ∈ (0, 1) is minimised at
# σ(z) = t, where it equals the binary entropy H(t).

# %%
# --8<-- [start:binary]
t = torch.tensor([0.13, 0.38, 0.71])
grid = torch.linspace(-8, 8, 160001)
bce = F.binary_cross_entropy_with_logits(
    grid[:, None].expand(-1, 3), t.expand(len(grid), -1), reduction="none"
)
best = bce.argmin(dim=0)
assert torch.allclose(torch.sigmoid(grid[best]), t, atol=1e-4), "σ(z*) = t"
h_binary = Bernoulli(probs=t).entropy()
assert torch.allclose(bce.min(dim=0).values, h_binary, atol=1e-8), (
    "the minimum is the binary entropy H(t)"
)
# --8<-- [end:binary]
print("H(p) per row:", entropy.numpy().round(3))
print("binary minima:", bce.min(dim=0).values.numpy().round(4))
