"""Cross-entropy is entropy plus KL, KL is at least 0, and it is not symmetric.

Chapter "KL divergence", first section. For categorical distributions p and q
drawn at random (generic, not uniform, not one-hot), the soft-target
`F.cross_entropy` equals H(p) + KL(p ‖ q) row by row, KL(p ‖ q) > 0 at q ≠ p
and 0 at q = p, where it has a strict minimum, and KL(p ‖ q) ≠ KL(q ‖ p).
"""

# %%
import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, C = 6, 5
p = torch.distributions.Dirichlet(torch.full((C,), 0.8)).sample((N,))
logits = 1.5 * torch.randn(N, C)
q = logits.softmax(-1)


# %%
# --8<-- [start:kl]
def kl(p, q):
    """KL(p ‖ q) = Σ_c p_c log(p_c / q_c), with 0·log 0 = 0, one value per row."""
    terms = torch.where(p > 0, p * (p.log() - q.log()), torch.zeros_like(p))
    return terms.sum(-1)


def entropy(p):
    return -torch.where(p > 0, p * p.log(), torch.zeros_like(p)).sum(-1)


cross_entropy = F.cross_entropy(logits, p, reduction="none")  # −Σ p log q per row
assert torch.allclose(cross_entropy, entropy(p) + kl(p, q), atol=1e-12), "CE = H + KL"
assert (kl(p, q) > 0).all(), "Gibbs: KL(p ‖ q) > 0 at generic q ≠ p"
forward, reverse = kl(p, q), kl(q, p)
assert (forward - reverse).abs().max() > 0.05, "not symmetric: KL(p‖q) and KL(q‖p) differ by over 0.05 on some row"
# --8<-- [end:kl]
kl_forward_row0, kl_reverse_row0 = forward[0].item(), reverse[0].item()

# %%
# --8<-- [start:gibbs]
# Gibbs' equality case, where it could fail. The model's q = softmax(log p), computed through
# exp and normalisation, is p to rounding, and its KL is 0. Along the path
# q_t = softmax(log p + t·δ) the KL is log E_p[e^{tδ}] − t E_p[δ] = ½ t² Var_p(δ) + O(t³):
# positive on both sides of t = 0, so q = p is a strict minimum.
q_at_p = p.log().softmax(-1)
assert kl(p, q_at_p).abs().max() < 1e-14, "KL(p ‖ softmax(log p)) = 0"
assert F.kl_div(q_at_p.log(), p, reduction="none").sum(-1).abs().max() < 1e-14, "torch agrees"
delta = torch.randn(N, C)
var_delta = (p * delta**2).sum(-1) - (p * delta).sum(-1) ** 2
for t in (-1e-3, 1e-3, -0.3, 0.3):
    kl_t = kl(p, (p.log() + t * delta).softmax(-1))
    assert (kl_t > 0).all(), "KL > 0 on both sides of q = p"
    if abs(t) < 0.01:
        assert torch.allclose(kl_t / (0.5 * t**2 * var_delta), torch.ones(N), rtol=1e-2), "KL ≈ ½ t² Var_p(δ)"
# --8<-- [end:gibbs]

# %%
# The gradient of the cross-entropy in the logits is q − p, the same as the
# gradient of KL(p ‖ q), since H(p) does not depend on the logits.
z = logits.clone().requires_grad_()
(g_ce,) = torch.autograd.grad(F.cross_entropy(z, p, reduction="sum"), z)
(g_kl,) = torch.autograd.grad(kl(p, z.softmax(-1)).sum(), z)
assert torch.allclose(g_ce, g_kl, atol=1e-12) and torch.allclose(g_ce, q - p, atol=1e-12), "same gradient q − p"
print(f"row 0: KL(p‖q) = {kl_forward_row0:.4f}, KL(q‖p) = {kl_reverse_row0:.4f}")
