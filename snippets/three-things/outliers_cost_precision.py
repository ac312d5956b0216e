"""Symmetric gross outliers leave the least-squares target alone; they cost precision.

Chapter "Three things that get conflated", gross outliers. On the chapter's
contamination data the outliers are symmetric about the line, so the
conditional mean is the line and least squares is unbiased for its slope. The
Student-t (ν = 3) maximum-likelihood fit targets the same slope, with a far
smaller spread over training sets: the noise model decides efficiency here,
not the target.
"""

# %%
import math

import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
R, n, NU = 2000, 300, 3.0  # training sets, points per set, t dof

# %%
# --8<-- [start:fits]
x = rng.uniform(0, 10, (R, n))
scale = np.where(rng.random((R, n)) < 0.1, 5.0, 0.5)  # 10 % gross errors
y = 1 + 0.5 * x + scale * rng.standard_normal((R, n))


def weighted_line(w):
    """Weighted least squares of y on (1, x), one line per training set."""
    sw, sx, sy = w.sum(1), (w * x).sum(1), (w * y).sum(1)
    sxx, sxy = (w * x * x).sum(1), (w * x * y).sum(1)
    slope = (sw * sxy - sx * sy) / (sw * sxx - sx**2)
    return (sy - slope * sx) / sw, slope


# least squares: the Gaussian noise model
a_ls, b_ls = weighted_line(np.ones_like(x))
# Student-t MLE of line and scale together, by EM (Lange et al., 1989):
# weights (ν + 1) / (ν + r²/s²), then a weighted line and s² = mean(w r²)
a_t, b_t = a_ls, b_ls
s2 = np.mean((y - a_t[:, None] - b_t[:, None] * x) ** 2, 1)
for step in range(200):
    r = y - a_t[:, None] - b_t[:, None] * x
    w = (NU + 1) / (NU + r**2 / s2[:, None])
    s2 = np.mean(w * r**2, 1)
    a_new, b_new = weighted_line(w)
    change = np.max(np.abs(b_new - b_t))
    a_t, b_t = a_new, b_new
# --8<-- [end:fits]
assert change < 1e-9, "EM has converged on every training set"
# and it has converged to the t₃ MLE: the mean NLL (4) itself, differenced
# centrally in the intercept, the slope and log s, is flat on every set


def t_nll(a, b, log_s):
    """Mean Student-t NLL (4) of each training set, up to its constant."""
    z2 = (y - a[:, None] - b[:, None] * x) ** 2 / (NU * np.exp(2 * log_s))[
        :, None]
    return ((NU + 1) / 2 * np.log1p(z2)).mean(1) + log_s


theta, h = [a_t, b_t, 0.5 * np.log(s2)], 1e-5
for k, name in enumerate(["a", "b", "log s"]):
    up, down = list(theta), list(theta)
    up[k], down[k] = theta[k] + h, theta[k] - h
    grad = (t_nll(*up) - t_nll(*down)) / (2 * h)
    assert np.max(np.abs(grad)) < 1e-6, f"∂ NLL / ∂ {name} = 0: the t₃ MLE"

# %% [markdown]
# The asymptotic variance of a location M-estimator with influence ψ is
# E ψ² / (E ψ')² (Huber, 1964), and a regression slope inherits it times
# the same design factor for every ψ. So the ratio of the two slopes'
# standard deviations is predicted by two one-dimensional integrals over
# the noise density: Var ε for least squares, and E ψ² / (E ψ')² for the
# t₃ with ψ(r) = (ν + 1) r / (ν s² + r²) at its population scale s.

# %%
# --8<-- [start:efficiency]
r_grid = np.linspace(-80, 80, 80_001)
dr = r_grid[1] - r_grid[0]
density = sum(
    wc * np.exp(-0.5 * (r_grid / sd) ** 2) / (sd * math.sqrt(2 * math.pi))
    for wc, sd in ((0.9, 0.5), (0.1, 5.0))
)
s2_pop, previous = 1.0, 0.0  # the t scale's population fixed point
while abs(s2_pop - previous) > 1e-13:
    w_pop = (NU + 1) / (NU + r_grid**2 / s2_pop)
    s2_pop, previous = np.sum(w_pop * r_grid**2 * density) * dr, s2_pop
psi = (NU + 1) * r_grid / (NU * s2_pop + r_grid**2)
dpsi = (NU + 1) * (NU * s2_pop - r_grid**2) / (NU * s2_pop + r_grid**2) ** 2
var_ls = np.sum(r_grid**2 * density) * dr  # 0.9·0.5² + 0.1·5² = 2.725
var_t = (np.sum(psi**2 * density) * dr) / (np.sum(dpsi * density) * dr) ** 2
ratio_theory = math.sqrt(var_ls / var_t)

sd_ls, sd_t = b_ls.std(ddof=1), b_t.std(ddof=1)
ratio = sd_ls / sd_t
# both are unbiased for the slope 0.5: the target is the same
assert abs(b_ls.mean() - 0.5) < 4 * sd_ls / math.sqrt(R), "LS targets 0.5"
assert abs(b_t.mean() - 0.5) < 4 * sd_t / math.sqrt(R), "t₃ targets 0.5"
# the t₃ slope is far less variable, as the asymptotics predict: each
# standard deviation has relative standard error about 1/√(2R), so the log
# of the ratio has about √(1/R)
assert ratio > 2, "least squares is far noisier"
assert abs(math.log(ratio / ratio_theory)) < 4 / math.sqrt(R), (
    "the ratio is the asymptotic one, √(Var ε · (E ψ')² / E ψ²)"
)
# --8<-- [end:efficiency]
mean_ls, mean_t = b_ls.mean(), b_t.mean()
variance_ratio_theory = ratio_theory**2  # points needed, LS over t₃
print(f"slope over {R} training sets: least squares {mean_ls:.4f} ± {sd_ls:.4f},"
      f" Student-t {mean_t:.4f} ± {sd_t:.4f}; ratio {ratio:.2f}"
      f" (asymptotic {ratio_theory:.2f})")
