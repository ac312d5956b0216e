"""Barron's general loss ρ(r, α, c) contains L2 (α = 2), Charbonnier (α = 1) and Cauchy (α = 0), is monotone in α, and is a normalisable NLL only for α ≥ 0.

Chapter "Noise models side by side" (Barron, CVPR 2019). The formula is
undefined at α = 0 (0/0) and at α = 2 (division by |α − 2| = 0), so those two
cases are written as their limits; the checks confirm that the general
formula tends to them.
"""

# %%
import math

import torch


# %%
# --8<-- [start:rho]
def rho(r, alpha, c=1.0):
    """Barron's ρ(r, α, c) = |α−2|/α · (((r/c)²/|α−2| + 1)^(α/2) − 1)."""
    z = (r / c) ** 2
    a = torch.as_tensor(alpha, dtype=torch.float64)
    special = (a == 0) | (a == 2)
    a_safe = torch.where(special, 0.5, a)  # any value; masked out below
    b = (a_safe - 2).abs()
    # (1 + z/b)^(α/2) − 1, written to stay accurate for small α
    general = b / a_safe * torch.expm1(a_safe / 2 * torch.log1p(z / b))
    return torch.where(
        a == 0, torch.log1p(z / 2), torch.where(a == 2, z / 2, general)
    )


# --8<-- [end:rho]

# %% [markdown]
# The special cases named in the paper, and the limits of the general formula
# at the two points where it is undefined.

# %%
# --8<-- [start:special-cases]
r = torch.arange(-2000, 2001, dtype=torch.float64) / 100  # exact 0
for c in (0.5, 1.0, 3.0):
    u = r / c
    cases = {
        2.0: u**2 / 2,  # L2: the Gaussian NLL
        1.0: torch.sqrt(u**2 + 1) - 1,  # Charbonnier / pseudo-Huber
        0.0: torch.log(u**2 / 2 + 1),  # Cauchy / Lorentzian
        -2.0: 2 * u**2 / (u**2 + 4),  # Geman-McClure
        -1e9: 1 - torch.exp(-(u**2) / 2),  # Welsch, as α → −∞
    }
    for a, expected in cases.items():
        assert torch.allclose(rho(r, a, c), expected, atol=1e-7), f"α={a}"
    for a in (0.0, 2.0):  # the general formula tends to the special cases
        for side in (-1e-7, 1e-7):
            assert torch.allclose(
                rho(r, a + side, c), rho(r, a, c), rtol=1e-5, atol=1e-9
            ), f"continuous at α = {a}"
# --8<-- [end:special-cases]

# %% [markdown]
# ρ is non-decreasing in α for every r, and strictly increasing for r ≠ 0.
# Lowering α lowers the loss of every residual at once.

# %%
# --8<-- [start:monotone]
alphas = torch.arange(-80, 81, dtype=torch.float64) / 20  # exact 0 and 2
curves = rho(r[None, :], alphas[:, None])  # (α, r)
steps = curves.diff(dim=0)
assert (steps[:, r != 0] > 0).all(), "ρ increases with α for every r ≠ 0"
assert (curves[:, r == 0] == 0).all(), "and ρ(0, α, c) = 0 for every α"
# --8<-- [end:monotone]

# %% [markdown]
# exp(−ρ) is a density only if it integrates. For α < 0, ρ is bounded by
# (2 − α)/|α|, so exp(−ρ) stays above a positive constant and the mass on
# [−L, L] grows without bound. At α = 0 it is a Cauchy with scale √2 and
# total mass √2·π; above 0 the tails are lighter still.

# %%
# --8<-- [start:normalisable]
def mass(alpha, L):
    """∫ exp(−ρ(r, α, 1)) dr over [−L, L], on a log-spaced grid."""
    v = torch.cat([torch.zeros(1), torch.logspace(-6, math.log10(L), 20001)])
    v = v.double()
    return 2 * torch.trapezoid(torch.exp(-rho(v, alpha)), v).item()


for a in (-0.5, -2.0):
    bound = (2 - a) / abs(a)
    wide = torch.logspace(-3, 6, 901, dtype=torch.float64)
    assert (rho(wide, a) < bound).all(), "bounded loss for α < 0"
    far = torch.tensor(1e20, dtype=torch.float64)
    assert math.isclose(rho(far, a), bound, rel_tol=1e-8), "sup = bound"
    for L in (1e2, 1e4, 1e6):  # so the mass on [−L, L] exceeds 2L·e^−bound
        assert mass(a, L) > 2 * L * math.exp(-bound), "mass grows with L"
for L in (1e2, 1e4, 1e6):  # α = 0: the mass on [−L, L] is 2√2·arctan(L/√2)
    exact = 2 * math.sqrt(2) * math.atan(L / math.sqrt(2))
    assert math.isclose(mass(0.0, L), exact, rel_tol=1e-6), "α = 0: arctan mass"
assert math.isclose(exact, math.sqrt(2) * math.pi, rel_tol=2e-6), (
    "α = 0 is normalisable: total mass √2·π"
)
# --8<-- [end:normalisable]
print(
    f"α = −2: ρ < {(2 + 2) / 2}, so the mass on [−L, L] grows like "
    f"{2 * math.exp(-2):.3f}·L"
)

# %% [markdown]
# The tails. For α > 0, ρ(r, α, 1) + |α−2|/α = k·|r|^α·(1 + |α−2|/r²)^(α/2)
# with k = |α−2|^(1−α/2)/α, so exp(−ρ) falls like exp(−k|r|^α). Only α = 0
# has a polynomial tail, |r|^−2 (the Cauchy's), because ρ grows like 2 log|r|;
# a Student-t with ν = 3 has ρ growing like (ν+1) log|r| = 4 log|r|.

# %%
# --8<-- [start:tails]
big = torch.logspace(4, 10, 7, dtype=torch.float64)
for a in (0.25, 0.5, 1.0, 1.5, 1.9):
    b = abs(a - 2)
    k = b ** (1 - a / 2) / a
    ratio = (rho(big, a) + b / a) / (k * big**a)
    assert torch.allclose(ratio, torch.ones_like(big), rtol=1e-6), (
        f"α = {a}: exp(−ρ) has tails like exp(−k|r|^α)"
    )
nu = 3.0
t_rho = -torch.distributions.StudentT(nu, 0.0, 1.0).log_prob(big)
for name, curve, slope in (("α = 0", rho(big, 0.0), 2.0), ("t", t_rho, 4.0)):
    d_log = curve.diff() / big.log().diff()  # d ρ / d log|r|
    assert torch.allclose(d_log, torch.full_like(d_log, slope), rtol=1e-5), (
        f"{name}: ρ grows like {slope:g}·log|r|"
    )
# --8<-- [end:tails]

# %% [markdown]
# Which of the five noise models are members? Gaussian (α = 2) and Cauchy
# (α = 0) are. The Laplace is only a limit: c·ρ(r, 1, c) = √(r² + c²) − c
# tends to |r| as c → 0, but no (α, c) gives |r| exactly. Huber is not a
# member: α = 1 is the smooth pseudo-Huber, whose curvature never jumps.

# %%
# --8<-- [start:members]
r_mid = torch.linspace(-5, 5, 1001, dtype=torch.float64)
for c_small in (1e-2, 1e-4, 1e-6):
    scaled = c_small * rho(r_mid, 1.0, c_small)
    assert torch.allclose(scaled, (r_mid**2 + c_small**2).sqrt() - c_small), (
        "c·ρ(r, 1, c) = √(r² + c²) − c"
    )
    assert (scaled - r_mid.abs()).abs().max() <= c_small, "→ |r| as c → 0"
assert (1e-2 * rho(r_mid, 1.0, 1e-2) < r_mid.abs()).any(), "never exactly |r|"
h_c = 1e-3
for delta_c in (0.7, 1.345):  # pseudo-Huber's curvature is continuous at δ
    at = delta_c + h_c * torch.arange(-2, 3, dtype=torch.float64)
    f = rho(at, 1.0, delta_c)
    left = (f[2] - 2 * f[1] + f[0]) / h_c**2
    right = (f[4] - 2 * f[3] + f[2]) / h_c**2
    assert abs(left - right) < 1e-2, "α = 1: no jump in curvature, unlike Huber"
# --8<-- [end:members]
