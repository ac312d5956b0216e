"""Pass logits: BCELoss on σ(z) clamps each log at −100 and loses its gradient where σ(z) rounds to 1, and float64 only moves the place.

Chapter "Cross-entropy". BCEWithLogitsLoss and CrossEntropyLoss evaluate the
Bernoulli and categorical NLLs from the logits with a log-sum-exp, so they never
form a probability that can round to 0 or 1. BCELoss receives σ(z), which can.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

torch.set_default_dtype(torch.float32)  # as in most training

# %% [markdown]
# The stable forms. For a logit z and label y ∈ {0, 1}, the Bernoulli NLL is
# log(1 + e^z) − yz = max(z, 0) − zy + log(1 + e^−|z|): the exponent is never
# positive, so nothing overflows. The categorical NLL is
# logsumexp(z) − z_y, with the largest logit subtracted inside the logsumexp.

# %%
# --8<-- [start:stable-forms]
z = torch.tensor([-300.0, -40.0, -3.7, 0.6, 25.0, 300.0])  # float32 logits
y = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0, 0.0])
stable = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))
naive = torch.log1p(torch.exp(z)) - y * z  # e^300 overflows float32
exact = torch.log1p(torch.exp(z.double())) - y.double() * z.double()
assert torch.isinf(naive[-1]), "the naive form overflows at z = 300"
assert torch.allclose(stable.double(), exact, rtol=1e-6), (
    "max(z, 0) − zy + log(1 + e^−|z|) is the Bernoulli NLL"
)
assert torch.allclose(
    F.binary_cross_entropy_with_logits(z, y, reduction="none"), stable
), "BCEWithLogitsLoss computes the stable form"

logits = torch.tensor([[0.0, 120.0, -3.0]])  # float32, one confident row
label = torch.tensor([0])
via_probs = -torch.log(logits.softmax(dim=1))[0, 0]  # softmax underflows to 0
ce = F.cross_entropy(logits, label)
assert torch.isinf(via_probs), "log(softmax) in float32: log 0 = −inf"
assert torch.isclose(ce, torch.logsumexp(logits[0], 0) - logits[0, 0]), (
    "CrossEntropyLoss = logsumexp(z) − z_y"
)
assert math.isclose(ce.item(), 120.0, rel_tol=1e-6), "finite: ≈ 120"
# --8<-- [end:stable-forms]

# %% [markdown]
# The clamp. A confidently wrong negative: y = 0 and z = 17, so the NLL is
# log(1 + e^17) ≈ 17. In float32, 1 + e^−17 rounds to 1, so σ(17) is exactly 1
# and log(1 − σ) = log 0. BCELoss clamps that log at −100: it reports 100, and
# the gradient through the clamp is exactly 0.


# %%
# --8<-- [start:clamp]
def loss_and_slope(z, y, dtype, logits):
    """BCELoss(σ(z), y) or BCEWithLogitsLoss(z, y), and its derivative in z."""
    z = torch.tensor([z], dtype=dtype, requires_grad=True)
    y = torch.tensor([y], dtype=dtype)
    if logits:
        loss = nn.BCEWithLogitsLoss()(z, y)
    else:
        loss = nn.BCELoss()(torch.sigmoid(z), y)
    (slope,) = torch.autograd.grad(loss, z)
    return loss.item(), slope.item()


z_wrong = 17.0  # a confident "1" for a label 0
nll_true = math.log1p(math.exp(z_wrong))  # log(1 + e^17)
assert torch.sigmoid(torch.tensor(z_wrong)).item() == 1.0, "σ(17) = 1 in float32"
bce_loss, bce_slope = loss_and_slope(z_wrong, 0.0, torch.float32, logits=False)
logit_loss, logit_slope = loss_and_slope(z_wrong, 0.0, torch.float32, logits=True)
assert bce_loss == 100.0 and bce_slope == 0.0, (
    "float32 BCELoss: clamped to 100, gradient exactly 0"
)
assert abs(logit_loss - nll_true) < 1e-5 and abs(logit_slope - 1) < 1e-6, (
    "BCEWithLogitsLoss: the NLL ≈ 17 and the slope σ(z) − y ≈ 1"
)
# --8<-- [end:clamp]

# %% [markdown]
# float64 has a finer grid near 1, so σ(z) rounds to 1 only for z ≳ 36.7, but
# the clamp is the same −100. Its backward pass also divides by
# max(p(1 − p), 1e−12), so the slope already shrinks for z ≳ log 10¹² ≈ 27.6.

# %%
# --8<-- [start:float64]
# torch computes σ(z) = 1/(1 + e^−z): it is exactly 1 once 1 + e^−z rounds to 1
z_round32 = math.log(2.0**24)  # e^−z < 2^−24 (half a float32 step above 1)
z_round64 = math.log(2.0**53)  # the same for float64
for dtype, z_round in ((torch.float32, z_round32), (torch.float64, z_round64)):
    below = torch.tensor(z_round - 0.05, dtype=dtype)
    above = torch.tensor(z_round + 0.05, dtype=dtype)
    assert torch.sigmoid(below) < 1 and torch.sigmoid(above) == 1, (
        "torch's σ(z) is 1 once 1 + e^−z rounds to 1"
    )
# a correctly rounded float32 σ would stay below 1 up to log 2^25: the grid
# just below 1 is twice as fine as the one above
exact17 = torch.tensor(1 / (1 + math.exp(-z_wrong)), dtype=torch.float64)
assert exact17.float() < 1 and torch.sigmoid(torch.tensor(z_wrong)) == 1, (
    "σ(17) = 1 is torch's formula, not the float32 rounding of σ(17)"
)
fine64 = loss_and_slope(z_wrong, 0.0, torch.float64, logits=False)
assert abs(fine64[0] - nll_true) < 1e-7 and abs(fine64[1] - 1) < 1e-6, (
    "float64 at z = 17: BCELoss is still exact"
)
z_far = 40.0
bce64_loss, bce64_slope = loss_and_slope(z_far, 0.0, torch.float64, logits=False)
assert bce64_loss == 100.0 and bce64_slope == 0.0, (
    "float64 at z = 40: the same clamp, 100 and no gradient (true: 40 and 1)"
)
z_backward = math.log(1e12)  # where σ(1 − σ) ≈ e^−z reaches 1e−12
before = loss_and_slope(z_backward - 1, 0.0, torch.float64, logits=False)[1]
after = loss_and_slope(z_backward + 1, 0.0, torch.float64, logits=False)[1]
assert abs(before - 1) < 1e-9 and after < 0.5, (
    "float64: the slope is exact below log 1e12 and shrinks past it"
)
z_mid = 34.0
mid_slope = loss_and_slope(z_mid, 0.0, torch.float64, logits=False)[1]
assert 0 < mid_slope < 0.01, "float64 at z = 34: the slope is under 1% of 1"
# --8<-- [end:float64]

# %% [markdown]
# Half precision. torch computes float16 and bfloat16 σ in float32 and rounds
# the result, so σ is exactly 1 once e^−z is under half the grid step just
# below 1: 2^−9 for bfloat16 (z ≈ 6.24) and 2^−12 for float16 (z ≈ 8.32).
# BCELoss at z = 12, y = 0 is then the clamp; bfloat16's gradient is 0 and
# float16's is nan. BCEWithLogitsLoss in the same dtype is right.

# %%
# --8<-- [start:half]
z_half = 12.0
half = {}
for dtype, bits in ((torch.bfloat16, 9), (torch.float16, 12)):
    z_sat = math.log(2.0**bits)
    sig_below = torch.sigmoid(torch.tensor(z_sat - 0.05, dtype=dtype))
    sig_above = torch.sigmoid(torch.tensor(z_sat + 0.05, dtype=dtype))
    assert sig_below < 1 and sig_above == 1, "half-precision σ saturates at log 2^bits"
    half[dtype] = (
        loss_and_slope(z_half, 0.0, dtype, logits=False),
        loss_and_slope(z_half, 0.0, dtype, logits=True),
    )
(bf16_loss, bf16_slope), (bf16_logit_loss, bf16_logit_slope) = half[torch.bfloat16]
(fp16_loss, fp16_slope), _ = half[torch.float16]
assert bf16_loss == 100.0 and bf16_slope == 0.0, "bfloat16 BCELoss: 100, gradient 0"
assert fp16_loss == 100.0 and math.isnan(fp16_slope), "float16 BCELoss: 100, gradient nan"
assert bf16_logit_loss == z_half and bf16_logit_slope == 1.0, (
    "bfloat16 BCEWithLogitsLoss: 12 and slope 1, the NLL to bfloat16 precision"
)
z_sat_bf16, z_sat_fp16 = math.log(2.0**9), math.log(2.0**12)
# --8<-- [end:half]

# %% [markdown]
# A sweep over z for the label y = 0: the loss and its slope, computed by the
# three routes.

# %%
zs = torch.linspace(0, 45, 451)
curves = {}
for name, dtype, use_logits in (
    ("BCEWithLogitsLoss", torch.float32, True),
    ("BCELoss, float32", torch.float32, False),
    ("BCELoss, float64", torch.float64, False),
):
    pairs = [loss_and_slope(v, 0.0, dtype, use_logits) for v in zs.tolist()]
    curves[name] = torch.tensor(pairs)
exact_curve = torch.log1p(torch.exp(zs.double()))
assert torch.allclose(
    curves["BCEWithLogitsLoss"][:, 0].double(), exact_curve, rtol=1e-6
), "the logit route tracks the NLL over the whole sweep"
# the float32 route is stair-stepped long before it jumps: 1 − σ(z) lives on
# the float32 grid just below 1
# the error peaks just below the jump, where 1 − σ is 2^−23 and the truth is
# about 2^−24: it approaches log 2. Evaluated on a fine grid, forward only.
z_fine = torch.linspace(10, z_round32 - 1e-4, 20001)
loss_fine = F.binary_cross_entropy(
    torch.sigmoid(z_fine), torch.zeros_like(z_fine), reduction="none"
)
err_fine = loss_fine.double() - torch.log1p(torch.exp(z_fine.double()))
max_err32 = err_fine.abs().max().item()
assert 0.69 < max_err32 < math.log(2), (
    "below the jump, float32 BCELoss is off by up to log 2"
)

fig, (ax_loss, ax_slope) = plt.subplots(
    1, 2, figsize=(9, 3.4), num="bce-clamp", layout="constrained"
)
# All three compute the Bernoulli NLL, so all keep its colour; the line style tells the routes apart.
styles = {
    "BCEWithLogitsLoss": dict(color="C5", lw=2.4),
    "BCELoss, float32": dict(color="C5", ls="-.", lw=1.3),
    "BCELoss, float64": dict(color="C5", ls="--", lw=1.3),
}
for name, values in curves.items():
    ax_loss.plot(zs, values[:, 0], label=name, **styles[name])
    ax_slope.plot(zs, values[:, 1], label=name, **styles[name])
for ax in (ax_loss, ax_slope):
    ax.axvline(z_round32, color="C7", lw=0.8, ls=":")
    ax.axvline(z_round64, color="k", lw=0.8, ls=":")
    ax.set_xlabel("logit $z$ (label $y = 0$)")
ax_loss.set(ylabel="loss", ylim=(0, 110))
ax_slope.set(ylabel=r"$\partial\,\mathrm{loss} / \partial z$", ylim=(-0.05, 1.15))
ax_loss.legend(loc="upper left", fontsize=8)
inset = ax_loss.inset_axes([0.475, 0.4, 0.28, 0.36], zorder=5)  # float32 staircase
inset.set_facecolor("white")
inset.plot(z_fine, err_fine, color="C5", lw=0.6)
inset.axhline(math.log(2), color="k", lw=0.6, ls=":")
inset.axhline(-math.log(2), color="k", lw=0.6, ls=":")
inset.set(xlim=(10, z_round32), ylim=(-0.8, 0.8))
inset.set_title("float32 BCELoss − NLL", fontsize=7)
inset.tick_params(labelsize=6)
ax_loss.set_title("loss: the NLL is $\\log(1+e^z)$", fontsize=10)
ax_slope.set_title("slope: the NLL's is $\\sigma(z)$", fontsize=10)
plt.show()
