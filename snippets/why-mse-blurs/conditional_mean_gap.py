"""Under MSE the best answer is the conditional mean, even where no data lie.

Chapter "Why MSE blurs". On Bishop's inverse problem (predict y from
x = y + 0.3 sin 2πy + noise) the true conditional density p(y|x) is computed
by quadrature, and checked against pairs simulated from the model. The
expected squared error splits into variance plus squared bias, so its
minimiser is E[y|x]; near the folds of the curve that mean falls in a gap
between the modes of p(y|x), where the data have essentially no mass.
"""

# %%
import math

import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
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
# Check it, and (6) with it, against the model itself: simulate (x, y)
# pairs, keep those whose x lies within DELTA of x0, and measure the mean
# squared error of each answer c on their y.

# %%
# --8<-- [start:risk]
x0, DELTA = 0.64, 0.002
p = p_y_given_x(x0)
mean = np.trapezoid(y * p, y)
var = np.trapezoid((y - mean) ** 2 * p, y)
y_sim = rng.uniform(0.0, 1.0, 4_000_000)
x_sim = h(y_sim) + SIGMA * rng.standard_normal(y_sim.size)
near = y_sim[np.abs(x_sim - x0) < DELTA]  # y given x ≈ x0
c = np.linspace(0.0, 1.0, 11)  # candidate answers
sq = (near[:, None] - c) ** 2
risk_sim, se = sq.mean(0), sq.std(0) / np.sqrt(len(near))
assert np.all(np.abs(risk_sim - (var + (mean - c) ** 2)) < 5 * se), (
    "simulated squared error = Var + (E - c)², with E and Var from (6)"
)
assert abs(near.mean() - mean) < 5 * near.std() / np.sqrt(len(near)), (
    "the simulated minimiser, the sample mean, is E[y|x] from (6)"
)
# --8<-- [end:risk]
n_near = len(near)

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
preimage = y[np.abs(hy - 0.36).argmin()]
assert abs(preimage - 0.135) < 5e-4, "h(0.135) = 0.36"
p = p_y_given_x(0.5)  # by symmetry, the outer branches balance at x = 0.5
assert np.allclose(modes(p), [0.21, 0.5, 0.79], atol=5e-3), "three branches"
assert abs(np.trapezoid(y * p, y) - 0.5) < 1e-9, "E[y | x = 0.5] = 0.5"
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
