"""InfoNCE is cross_entropy(z_a @ z_b.T / τ, arange(N)), and its gradient on each negative's similarity is that negative's softmax weight divided by τ.

Chapter "Contrastive loss (InfoNCE)". The loss is written out by hand and
compared with torch's cross-entropy at two generic temperatures. Its gradient
with respect to the similarities shows what the temperature does: it sets how
sharply the push on the negatives concentrates on the most similar ones (Wang &
Liu, 2021).
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, DIM = 24, 8
z_a = F.normalize(torch.randn(N, DIM), dim=1)  # view a of N items
z_b = F.normalize(z_a + 0.6 * torch.randn(N, DIM), dim=1)  # view b

# %%
# --8<-- [start:equality]
def infonce_by_hand(z_a, z_b, tau):
    """-1/N Σ_i log( exp(s_ii/τ) / Σ_j exp(s_ij/τ) ), s_ij = z_a,i · z_b,j."""
    total = 0.0
    for i in range(len(z_a)):
        s_i = [float(z_a[i] @ z_b[j]) for j in range(len(z_b))]
        denom = sum(math.exp(s / tau) for s in s_i)
        total += -math.log(math.exp(s_i[i] / tau) / denom)
    return total / len(z_a)


for tau in (0.13, 0.37):
    loss = F.cross_entropy(z_a @ z_b.T / tau, torch.arange(N))
    assert math.isclose(loss.item(), infonce_by_hand(z_a, z_b, tau),
                        rel_tol=1e-12), "InfoNCE = cross_entropy(logits, arange)"
# --8<-- [end:equality]

# %%
# --8<-- [start:gradient]
TAU = 0.13
sim = (z_a @ z_b.T).requires_grad_()  # s_ij, cosine similarities
per_row = F.cross_entropy(sim / TAU, torch.arange(N), reduction="none")
per_row.sum().backward()  # row i's loss depends on row i of s only
weight = torch.softmax(sim.detach() / TAU, dim=1)  # p_ij
expected = (weight - torch.eye(N)) / TAU  # p_ij/τ, and (p_ii − 1)/τ
assert torch.allclose(sim.grad, expected, rtol=1e-10, atol=0), (
    "∂ℓ_i/∂s_ij = p_ij/τ for a negative, (p_ii − 1)/τ for the positive"
)
assert torch.allclose(sim.grad.sum(1), torch.zeros(N), atol=1e-12), (
    "the pull on the positive equals the total push on the negatives"
)
# --8<-- [end:gradient]

# %% [markdown]
# As τ falls, the weight moves to the negatives most similar to the anchor.
# Take one anchor with 255 negatives and measure the share of the total push
# that lands on its 5 hardest negatives, and the effective number of
# negatives 1/Σ w², for w the negatives' weights normalised to sum to 1.

# %%
# --8<-- [start:hardness]
s_neg, _ = torch.sort(0.35 * torch.randn(255).clamp(-2.5, 2.5), descending=True)
taus = [1.0, 0.5, 0.2, 0.1, 0.05]
top5, n_eff = [], []
for tau in taus:
    w = torch.softmax(s_neg / tau, dim=0)  # negatives' share of the push
    top5.append(w[:5].sum().item())
    n_eff.append(1 / (w ** 2).sum().item())
assert all(a < b for a, b in zip(top5, top5[1:])), "lower τ: harder focus"
assert all(a > b for a, b in zip(n_eff, n_eff[1:])), "lower τ: fewer negatives"

# As τ → 0, τ·ℓ_i tends to the hinge max(0, max_j s_ij − s_ii): only the
# hardest negative counts, and only if it beats the positive.
s_pos = 0.6
for tau in (0.05, 0.01, 0.002):
    row = torch.cat([torch.tensor([s_pos]), s_neg])
    scaled = tau * F.cross_entropy(row[None] / tau, torch.tensor([0]))
    hinge = max(0.0, s_neg.max().item() - s_pos)
    assert hinge <= scaled <= hinge + tau * math.log(256) + 1e-12, (
        "hinge <= τ·InfoNCE <= hinge + τ log N"
    )
# --8<-- [end:hardness]
top5_hot, top5_cold = top5[0], top5[-1]
n_eff_hot, n_eff_cold = n_eff[0], n_eff[-1]
tau_hot, tau_cold = taus[0], taus[-1]

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.6), num="infonce-hardness",
                       layout="constrained")
colours = plt.get_cmap("plasma")([0.85, 0.65, 0.45, 0.25, 0.0])  # dark = cold
for tau, colour, marker in zip(taus, colours, "o^sDv"):
    w = torch.softmax(s_neg / tau, dim=0)
    ax.plot(s_neg, w, color=colour, marker=marker, ms=2.5, lw=1.2,
            label=f"τ = {tau:g}")
ax.set_yscale("log")
ax.set(xlabel="similarity of a negative to the anchor, $s_{ij}$",
       ylabel="its share of the push, $p_{ij} / (1 - p_{ii})$",
       ylim=(1e-8, 1.5))
ax.set_title("the gradient on negative $j$ is $p_{ij}/\\tau$: "
             "lower τ puts it on the hardest", fontsize=10)
ax.legend(loc="lower right", fontsize=8)
plt.show()
