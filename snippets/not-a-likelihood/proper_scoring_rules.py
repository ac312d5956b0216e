"""Failing the normalisation test and losing the probability are different things: the Brier score does the first, not the second.

Chapter "When a loss is not a likelihood", proper scoring rules (Gneiting &
Raftery, 2007). The Brier score (y − q)² and the exponential loss exp(−yz)
are not NLLs, yet their minimisers recover p. A kink does not erase p
either: softplus(−yz) + 0.2·max(0, −yz) keeps it outside a band around ½.
The hinge loses p because its expected value is piecewise linear in z.
"""

# %%
import math

import torch
import torch.nn.functional as F

ps = torch.linspace(0.02, 0.98, 49, dtype=torch.float64)  # P(y = +1)

# %%
# --8<-- [start:brier]
q = torch.linspace(0, 1, 1001, dtype=torch.float64)  # a forecast of p


def brier(y, q):  # y ∈ {0, 1}
    return (y - q) ** 2


# Test (1) with h(0) = h(1), which Z(0) = Z(1) forces: for every scale a,
# Z_a(q) = exp(-a(1-q)²) + exp(-a q²) has slope 2a·exp(-a) ≠ 0 at q = 0.
# One scale a_star > 0 has Z_a(0) = Z_a(½), i.e. 1 + exp(-a) = 2 exp(-a/4):
# comparing those two q alone would miss the failure there. Find it by
# bisection (the difference is < 0 at a = 1 and > 0 at a = 5; it falls and
# then rises in a > 0, since its derivative vanishes only at a = (4/3) log 2,
# so this is its only positive root).
def z0_minus_zhalf(a):
    return 1 + math.exp(-a) - 2 * math.exp(-a / 4)


lo_a, hi_a = 1.0, 5.0
assert z0_minus_zhalf(lo_a) < 0 < z0_minus_zhalf(hi_a), "a root is bracketed"
for _ in range(60):
    mid = 0.5 * (lo_a + hi_a)
    lo_a, hi_a = (mid, hi_a) if z0_minus_zhalf(mid) < 0 else (lo_a, mid)
a_star = 0.5 * (lo_a + hi_a)
assert abs(z0_minus_zhalf(a_star)) < 1e-14, "Z_a(0) = Z_a(½) at a = a_star"
for a in (0.3, 1.0, a_star, 5.0):
    q0 = torch.zeros((), dtype=torch.float64, requires_grad=True)
    (slope_0,) = torch.autograd.grad(
        torch.exp(-a * brier(1, q0)) + torch.exp(-a * brier(0, q0)), q0)
    assert math.isclose(slope_0, 2 * a * math.exp(-a), rel_tol=1e-12), (
        "dZ_a/dq at q = 0 is 2a exp(-a)"
    )
    Z_a = torch.exp(-a * brier(1, q)) + torch.exp(-a * brier(0, q))
    assert Z_a.max() - Z_a.min() > 0.01, f"a={a}: Z_a moves with q: no NLL"
# ...but the expected Brier score is minimised at q = p: strictly proper.
risk = ps[:, None] * brier(1, q) + (1 - ps[:, None]) * brier(0, q)
assert torch.allclose(q[risk.argmin(dim=1)], ps, atol=1e-3), (
    "the Brier score's minimiser is p itself"
)
# --8<-- [end:brier]

# %%
# --8<-- [start:margin]
z = torch.arange(-6000, 6001, dtype=torch.float64) / 1000  # a score
step = 1e-3


def argmin_risk(loss):
    risk = ps[:, None] * loss(1, z) + (1 - ps[:, None]) * loss(-1, z)
    return z[risk.argmin(dim=1)]


# AdaBoost's exponential loss: not an NLL (Exercise 1), minimiser ½ log-odds
def Z_exp(z, a=1.0):
    return math.exp(-a * math.exp(-z)) + math.exp(-a * math.exp(z))


assert round(Z_exp(0), 3) == round(2 / math.e, 3) == 0.736, "Z(0) = 2/e"
assert abs(Z_exp(20) - 1) < 1e-8 and abs(Z_exp(-20) - 1) < 1e-8, "Z(±∞) = 1"
assert round(Z_exp(0, math.log(2)), 12) == 1, "a = log 2 fixes Z(0) = 1..."
assert round(Z_exp(1, math.log(2)), 3) == 0.927, "...but Z(1) = 0.927"
assert torch.allclose(argmin_risk(lambda y, z: torch.exp(-y * z)),
                      0.5 * torch.log(ps / (1 - ps)), atol=step), (
    "exponential loss: the minimiser is half the log-odds"
)

# A kink at z = 0 that keeps p: for p > 7/12 the minimiser solves
# σ(z) = (1 + c)p - c, and for p in [5/12, 7/12] it sits at the kink.
c = 0.2
kinked = argmin_risk(lambda y, z: F.softplus(-y * z) + c * torch.relu(-y * z))
q_hi = (1 + c) * ps - c  # σ(z*) for p above the band
q_lo = 1 - ((1 + c) * (1 - ps) - c)  # and, by symmetry, below it
expected = torch.zeros_like(ps)
hi, lo = ps > (0.5 + c) / (1 + c), ps < 0.5 / (1 + c)
expected[hi] = torch.log(q_hi[hi] / (1 - q_hi[hi]))
expected[lo] = torch.log(q_lo[lo] / (1 - q_lo[lo]))
assert torch.allclose(kinked, expected, atol=step), (
    "softplus + c·hinge at 0: minimiser logit((1+c)p - c), or 0 in the band"
)
assert hi.sum() + lo.sum() > 0.8 * len(ps), "most of the grid is outside"
# --8<-- [end:margin]
print(f"exponential loss: Z(0) = {Z_exp(0):.4f},",
      f"Z_log2(1) = {Z_exp(1, math.log(2)):.4f};",
      f"kinked loss at the kink for {(~(hi | lo)).sum()} of {len(ps)} p")
