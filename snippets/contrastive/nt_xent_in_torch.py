"""NT-Xent and CLIP's loss in torch, checked against a loop, with four real mistakes and the numbers they return.

Chapter "Contrastive loss (InfoNCE)". SimCLR's NT-Xent (Chen et al., 2020)
pools the 2N embeddings of two views and asks each for its partner among the
other 2N − 1. CLIP (Radford et al., 2021) learns its temperature as
logit_scale = log(1/τ), initialised at log(1/0.07) and clipped so that the
logits are scaled by at most 100.
"""

# %%
import math

import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float32)  # the float32 pitfalls below need it (a notebook may have set float64 earlier)
N, DIM = 16, 32
h1 = torch.randn(N, DIM, dtype=torch.float64)  # projection-head outputs
h2 = h1 + 0.8 * torch.randn(N, DIM, dtype=torch.float64)  # second view


# %%
# --8<-- [start:nt-xent]
def nt_xent(h1, h2, tau):
    z = F.normalize(torch.cat([h1, h2]), dim=1)  # 2N unit vectors
    logits = z @ z.T / tau
    self_pair = torch.eye(len(z), dtype=torch.bool)
    logits = logits.masked_fill(self_pair, -math.inf)  # not a candidate
    partner = torch.arange(len(z)).roll(len(h1))  # i <-> i + N
    return F.cross_entropy(logits, partner)
# --8<-- [end:nt-xent]


# %%
# --8<-- [start:loop]
def nt_xent_loop(h1, h2, tau):
    z = [v / v.norm() for v in torch.cat([h1, h2])]
    n2, total = len(z), 0.0
    for i in range(n2):
        k = (i + n2 // 2) % n2
        others = [j for j in range(n2) if j != i]  # 2N − 1 candidates
        denom = sum(math.exp(float(z[i] @ z[j]) / tau) for j in others)
        total += -math.log(math.exp(float(z[i] @ z[k]) / tau) / denom)
    return total / n2


for tau in (0.23, 0.61):
    assert math.isclose(nt_xent(h1, h2, tau).item(), nt_xent_loop(h1, h2, tau),
                        rel_tol=1e-12), "vectorised NT-Xent = the loop"
# --8<-- [end:loop]
TAU = 0.23
loss_right = nt_xent(h1, h2, TAU).item()

# %% [markdown]
# Mistake 1: forgetting the mask. Each anchor's similarity to itself is
# exactly 1, the largest logit in its row, so it competes with the partner.
# Even two identical views cannot push the loss below log 2.

# %%
# --8<-- [start:no-mask]
def nt_xent_no_mask(h1, h2, tau):
    z = F.normalize(torch.cat([h1, h2]), dim=1)
    partner = torch.arange(len(z)).roll(len(h1))
    return F.cross_entropy(z @ z.T / tau, partner)  # self-pair left in


loss_no_mask = nt_xent_no_mask(h1, h2, TAU).item()
assert loss_no_mask > loss_right + 0.1, "the unmasked loss is larger"
far_apart = torch.eye(N, DIM, dtype=torch.float64)  # orthogonal items
assert nt_xent(far_apart, far_apart, 0.05) < 1e-6, "perfect views: loss ≈ 0"
assert nt_xent_no_mask(far_apart, far_apart, 0.05) > math.log(2), (
    "unmasked, the self-pair ties with the partner: loss > log 2"
)
collapsed = torch.ones(8, DIM, dtype=torch.float64)  # an untrained encoder
for tau in (0.23, 0.61):
    assert math.isclose(nt_xent(collapsed, collapsed, tau).item(),
                        math.log(15), rel_tol=1e-12), "chance: log(2N − 1)"
    assert math.isclose(nt_xent_no_mask(collapsed, collapsed, tau).item(),
                        math.log(16), rel_tol=1e-12), "unmasked: log 2N"
# --8<-- [end:no-mask]

# %% [markdown]
# Mistake 2: no normalisation. Dot products of raw vectors grow with their
# norms (here about √32), which acts like a far lower temperature: the loss
# moves with the norms alone, so it can be lowered by inflating norms
# instead of aligning directions. The cosine version cannot.

# %%
# --8<-- [start:no-normalise]
def nt_xent_raw(h1, h2, tau):
    z = torch.cat([h1, h2])  # F.normalize forgotten
    logits = (z @ z.T / tau).masked_fill(torch.eye(len(z), dtype=torch.bool),
                                         -math.inf)
    return F.cross_entropy(logits, torch.arange(len(z)).roll(len(h1)))


loss_raw = nt_xent_raw(h1, h2, TAU).item()
raw_by_scale = [nt_xent_raw(c * h1, c * h2, TAU).item() for c in (0.1, 1, 10)]
for c in (0.1, 10):
    assert math.isclose(nt_xent(c * h1, c * h2, TAU).item(), loss_right,
                        rel_tol=1e-12), "cosine NT-Xent ignores the norms"
assert max(raw_by_scale) - min(raw_by_scale) > 0.5, (
    "the raw dot-product loss moves with the norms alone"
)
# --8<-- [end:no-normalise]

# %% [markdown]
# Mistake 3: a hand-written softmax at a small temperature, in float32. At
# τ = 0.01 a cosine of 0.9 becomes a logit of 90, and e^90 is already beyond
# float32's largest number (about 3.4e38). cross_entropy subtracts the row's
# maximum inside its log-sum-exp and stays finite.

# %%
# --8<-- [start:overflow]
# similar items (cos ≈ 0.94) and closer views (cos ≈ 0.99): a hard batch
items = torch.randn(DIM, dtype=torch.float64) + 0.25 * torch.randn(N, DIM,
                                                                   dtype=torch.float64)
view_a = items + 0.1 * torch.randn(N, DIM, dtype=torch.float64)
view_b = items + 0.1 * torch.randn(N, DIM, dtype=torch.float64)
z = F.normalize(torch.cat([view_a, view_b]), dim=1).float()
tau_small = 0.01
logits = (z @ z.T / tau_small).masked_fill(torch.eye(2 * N, dtype=torch.bool),
                                           -math.inf)
partner = torch.arange(2 * N).roll(N)
e = torch.exp(logits)  # hand-written softmax
loss_by_hand = -torch.log(e[torch.arange(2 * N), partner] / e.sum(1)).mean()
loss_ce32 = F.cross_entropy(logits, partner)
loss_ce64 = nt_xent(view_a, view_b, tau_small)
assert torch.isinf(e).any() and torch.isnan(loss_by_hand), (
    "exp overflows to inf, and inf/inf is nan"
)
assert torch.isfinite(loss_ce32), "cross_entropy's log-sum-exp stays finite"
assert math.isclose(loss_ce32.item(), loss_ce64.item(), abs_tol=1e-4), (
    "and agrees with the float64 value"
)
# --8<-- [end:overflow]
loss_ce32 = loss_ce32.item()

# %% [markdown]
# CLIP's learned temperature. logit_scale is log(1/τ); the logits are
# exp(logit_scale) × cosine. Once every positive is the best match in its row
# and its column, the loss falls monotonically as the scale grows: it has no
# finite minimiser in the scale, and only a clamp stops the parameter.
# Mistake 4: no clamp.

# %%
# --8<-- [start:clip]
img = F.normalize(torch.randn(N, DIM), dim=1)
txt = F.normalize(img + 0.15 * torch.randn(N, DIM), dim=1)
sims = img @ txt.T
assert (sims.argmax(1) == torch.arange(N)).all(), "each positive is its row max"
assert (sims.argmax(0) == torch.arange(N)).all(), "and its column max"


def clip_loss(logit_scale, sims=sims):
    logits = logit_scale.exp() * sims
    labels = torch.arange(N)
    return (F.cross_entropy(logits, labels)
            + F.cross_entropy(logits.T, labels)) / 2


for value in torch.linspace(0, math.log(50), 40, dtype=torch.float64):
    s = value.clone().requires_grad_()  # float64: no underflow of the slope
    clip_loss(s, sims.double()).backward()
    assert s.grad < 0, "the loss falls at every scale: no finite minimiser"

final = {}
for clamp in (True, False):
    logit_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))
    opt = torch.optim.Adam([logit_scale], lr=0.5)
    for _ in range(100):
        opt.zero_grad()
        clip_loss(logit_scale).backward()
        opt.step()
        if clamp:  # as open_clip does after each optimiser step
            with torch.no_grad():
                logit_scale.clamp_(0, math.log(100))
    final[clamp] = logit_scale.item()
assert math.isclose(final[True], math.log(100), rel_tol=1e-6), (
    "clamped: the scale stops at exactly 100"
)
assert final[False] > math.log(100) + 0.5, "unclamped: it keeps rising"
# float32 exp overflows past logit_scale ≈ 88.7; then the loss is nan
assert torch.isnan(clip_loss(torch.tensor(89.0))), "exp(89) = inf in float32"
# --8<-- [end:clip]
scale_init = 1 / 0.07
assert math.isclose(scale_init, math.exp(math.log(1 / 0.07))), "τ = 0.07"
scale_unclamped = math.exp(final[False])
log_100 = math.log(100)
print(f"NT-Xent {loss_right:.3f}; unmasked {loss_no_mask:.3f}; "
      f"unnormalised {loss_raw:.3f}; τ = 0.01 float32: by hand {loss_by_hand}, "
      f"cross_entropy {loss_ce32:.3f}; CLIP scale without clamp "
      f"{scale_unclamped:.0f}")
