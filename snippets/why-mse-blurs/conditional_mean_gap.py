"""Under MSE the best answer is the conditional mean, even where no data lie.

Chapter "Why MSE blurs". On Bishop's inverse problem (predict y from
x = y + 0.3 sin 2πy + noise) the true conditional density p(y|x) is computed
by quadrature. The expected squared error splits into variance plus squared
bias, so its minimiser is E[y|x]; near the folds of the curve that mean falls
in a gap between the modes of p(y|x), where the data have essentially no
mass.
"""

# %%
import math

import numpy as np

SIGMA = 0.04  # noise on x; Bishop uses uniform noise on (-0.1, 0.1)


def h(y):
    """The forward map: easy to compute, two-to-one or three-to-one back."""
    return y + 0.3 * np.sin(2 * math.pi * y)


y = np.linspace(0.0, 1.0, 20_001)  # quadrature grid over the target


def p_y_given_x(x):
    """p(y|x) ∝ p(y) p(x|y), with y ~ U(0, 1) and x|y ~ N(h(y), σ²)."""
    p = np.exp(-((x - h(y)) ** 2) / (2 * SIGMA**2))
    return p / np.trapezoid(p, y)


def modes(p):
    """Grid points that are local maxima of a density."""
    i = np.flatnonzero((p[1:-1] > p[:-2]) & (p[1:-1] >= p[2:])) + 1
    return y[i]


# %% [markdown]
# For any constant answer c, E[(y − c)² | x] = Var[y|x] + (E[y|x] − c)².
# The first term does not depend on c, so the risk is smallest at c = E[y|x].

# %%
# --8<-- [start:risk]
x0 = 0.64
p = p_y_given_x(x0)
mean = np.trapezoid(y * p, y)
var = np.trapezoid((y - mean) ** 2 * p, y)
c = np.linspace(0.0, 1.0, 1001)  # candidate answers
risk = np.array([np.trapezoid((y - ci) ** 2 * p, y) for ci in c])
assert np.allclose(risk, var + (mean - c) ** 2, atol=1e-9), (
    "expected squared error = variance + squared bias"
)
assert abs(c[risk.argmin()] - mean) <= c[1] - c[0], (
    "the risk is minimised at the conditional mean"
)
# --8<-- [end:risk]

# %% [markdown]
# Where is that mean? Without noise, h rises to 0.593 at y = 0.339, falls
# to 0.407 at y = 0.661 and rises again: only x in (0.407, 0.593) has three
# preimages. Just outside that interval, x = 0.36 and x = 0.64 have one,
# but a fold lies within 1.2σ, so p(y|x) has a second mode at the fold.

# %%
# --8<-- [start:folds]
hy = h(y)
turns = np.flatnonzero(np.diff(np.sign(np.diff(hy)))) + 1  # where h' = 0
assert np.allclose(y[turns], [0.339, 0.661], atol=5e-4), "the folds"
assert np.allclose(hy[turns], [0.593, 0.407], atol=5e-4), "their heights"
for x0 in (0.36, 0.64):
    preimages = np.sum(np.diff(np.sign(hy - x0)) != 0)
    assert preimages == 1, "noise-free, a single branch"
    assert abs(x0 - hy[turns]).min() < 1.2 * SIGMA, "a fold within 1.2σ"
# --8<-- [end:folds]

# %%
# --8<-- [start:gap]
quoted = {0.36: ([0.135, 0.661], 0.444), 0.64: ([0.339, 0.865], 0.556)}
for x0, (quoted_modes, quoted_mean) in quoted.items():
    p = p_y_given_x(x0)
    mean = np.trapezoid(y * p, y)
    branches = modes(p)  # one on the branch, one at the fold
    density_at_mean = np.interp(mean, y, p) / p.max()
    print(
        f"x={x0}: modes at {np.round(branches, 3)}, "
        f"E[y|x]={mean:.3f}, p(E[y|x]|x)/max p = {density_at_mean:.1e}"
    )
    assert len(branches) == 2, "two modes near a fold: a branch and the fold"
    assert branches[0] < mean < branches[1], "the mean lies between them"
    assert np.abs(branches - mean).min() > 0.2, "and far from both"
    assert density_at_mean < 1e-4, "where the data have almost no mass"
    # the values quoted, to half a unit in the last digit (grid: 5e-5)
    assert np.allclose(branches, quoted_modes, atol=5e-4), "the modes"
    assert abs(mean - quoted_mean) < 5e-4, "the mean"
    assert abs(density_at_mean - 1.7e-5) < 5e-7, "1.7e-5 of the peak"
# --8<-- [end:gap]
