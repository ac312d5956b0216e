"""The KL mistakes people make in torch, each shown as a wrong number next to the right one.

Chapter "KL divergence", section "In torch". Swapped arguments of `F.kl_div`,
probabilities passed as its input, reading 'none' elementwise, the order of
`torch.distributions.kl_divergence`, and summing or averaging a VAE's KL over
the latent dimensions and the batch (and `Independent`, which sums for you).
"""

# %%
import torch
import torch.nn.functional as F
from torch.distributions import Categorical, Independent, Normal, kl_divergence

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, C = 8, 6
p = torch.distributions.Dirichlet(torch.full((C,), 0.9)).sample((N,))  # data / teacher
logits = 1.2 * torch.randn(N, C)
log_q, q = logits.log_softmax(-1), logits.softmax(-1)  # model


def kl(a, b):
    """KL(a ‖ b) per row, by hand."""
    return (a * (a.log() - b.log())).sum(-1)


# %%
# --8<-- [start:order]
right = F.kl_div(log_q, p, reduction="batchmean")  # input = log q (model), target = p (data)
swapped = F.kl_div(p.log(), q, reduction="batchmean")  # what KL(p, q) "reads like"
assert torch.isclose(right, kl(p, q).mean(), atol=1e-13), "kl_div(log q, p) is KL(p ‖ q)"
assert torch.isclose(swapped, kl(q, p).mean(), atol=1e-13), "kl_div(log p, q) is KL(q ‖ p)"
assert (swapped - right).abs() > 1e-3, "and the two differ"
# torch.distributions reads in the mathematical order: the first argument is p
dist_kl = kl_divergence(Categorical(probs=p), Categorical(logits=logits))
assert torch.allclose(dist_kl, kl(p, q), atol=1e-13), "kl_divergence(P, Q) is KL(P ‖ Q)"
# --8<-- [end:order]
kl_right, kl_swapped = right.item(), swapped.item()

# %%
# --8<-- [start:probs]
# probabilities where log-probabilities belong: Σ p (log p − q) = −H(p) − Σ p·q < 0
as_probs = F.kl_div(q, p, reduction="none").sum(-1)
entropy = -(p * p.log()).sum(-1)
assert torch.allclose(as_probs, -entropy - (p * q).sum(-1), atol=1e-13), "−H(p) − p·q"
assert (as_probs < 0).all(), "negative on every row, whatever p and q"
# --8<-- [end:probs]
kl_as_probs = as_probs.mean().item()

# %%
# --8<-- [start:none]
elementwise = F.kl_div(log_q, p, reduction="none")
assert ((elementwise < 0).any(-1)).all(), "every row has negative elements (where p < q)"
assert (elementwise.sum(-1) > 0).all(), "yet every row sums to a positive KL"
# --8<-- [end:none]

# %%
# --8<-- [start:vae]
B, d = 32, 10  # batch size and latent dimensions
mu, log_var = 0.8 * torch.randn(B, d), 0.5 * torch.randn(B, d)
q_z = Normal(mu, (0.5 * log_var).exp())
kl_elem = kl_divergence(q_z, Normal(0.0, 1.0))  # (B, d)
per_example = kl_elem.sum(-1)  # KL(q(z|x) ‖ N(0, I)): sum over latent dimensions
right_vae = per_example.mean()  # then mean over the batch, like the reconstruction NLL
mean_all = kl_elem.mean()  # averages over dimensions too
sum_all = kl_elem.sum()  # sums over the batch too
assert torch.isclose(mean_all * d, right_vae, atol=1e-12), "mean over everything: KL/d (β = 1/d)"
assert torch.isclose(sum_all / B, right_vae, atol=1e-12), "sum over everything: B·KL (β = B)"
# the latent dimensions as an event: kl_divergence then sums over them itself
q_event = Independent(Normal(mu, (0.5 * log_var).exp()), 1)  # batch shape (B,), event shape (d,)
kl_event = kl_divergence(q_event, Independent(Normal(torch.zeros(d), 1.0), 1))
assert kl_event.shape == (B,) and torch.allclose(kl_event, per_example, atol=1e-12), "Independent: summed over d"
try:
    kl_divergence(q_event, Normal(0.0, 1.0))  # an event distribution against a plain Normal
    mixed_raises = False
except NotImplementedError:
    mixed_raises = True
assert mixed_raises, "Independent against a plain Normal prior has no registered KL"
# --8<-- [end:vae]
vae_kl_right, vae_kl_mean_all, vae_kl_sum_all = right_vae.item(), mean_all.item(), sum_all.item()
print(f"KL(p‖q) {kl_right:.4f}, swapped {kl_swapped:.4f}, probs as input {kl_as_probs:.4f}")
print(f"VAE KL {vae_kl_right:.3f}, .mean() {vae_kl_mean_all:.3f}, .sum() {vae_kl_sum_all:.1f}")
