"""Correlated noise: the i.i.d. likelihood keeps the mean right and overstates the precision.

Chapter "Three things that get conflated", the fourth choice. Summing
log p(y_i | x_i) over the data declares the noise terms independent. Here the
noise is an AR(1) series with correlation ρ between neighbours: the sample
mean (the Gaussian MLE under independence) is still unbiased, but its spread
over repeated series is several times the σ/√n that the i.i.d. likelihood
reports.
"""

# %%
import math

import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
R, n = 4000, 100  # repeated series, readings per series
mu, sigma, rho = 2.0, 0.8, 0.7  # level, marginal noise sd, lag-1 correlation

# %%
# --8<-- [start:ar1]
# stationary AR(1): eps_t = rho eps_{t-1} + sqrt(1 - rho²) sigma u_t
eps = np.empty((R, n))
eps[:, 0] = sigma * rng.standard_normal(R)
innovation = math.sqrt(1 - rho**2) * sigma
for t in range(1, n):
    eps[:, t] = rho * eps[:, t - 1] + innovation * rng.standard_normal(R)
y = mu + eps
mu_hat = y.mean(1)  # the MLE of mu if the noise were i.i.d. N(0, sigma²)

# Var(mean) = (sigma² / n²) Σ_ij rho^|i-j|: n diagonal terms, and 2(n - k)
# pairs at lag k
lags = np.arange(1, n)
var_exact = sigma**2 / n**2 * (n + 2 * np.sum((n - lags) * rho**lags))
var_iid = sigma**2 / n  # what the i.i.d. likelihood's Fisher information says
# --8<-- [end:ar1]

# %%
# --8<-- [start:claims]
var_mc = mu_hat.var(ddof=1)
assert abs(mu_hat.mean() - mu) < 4 * math.sqrt(var_mc / R), (
    "the sample mean is still unbiased"
)
# a sample variance of R normal values has relative standard error √(2/R)
assert abs(var_mc / var_exact - 1) < 4 * math.sqrt(2 / (R - 1)), (
    "the spread of the mean is the AR(1) one"
)
se_ratio = math.sqrt(var_exact / var_iid)  # true s.e. over reported s.e.
assert se_ratio > 2, "the i.i.d. standard error is far too small"
# for long series the ratio tends to √((1 + rho) / (1 - rho))
se_ratio_limit = math.sqrt((1 + rho) / (1 - rho))
assert se_ratio < se_ratio_limit, "the finite-n ratio is below the limit"
# --8<-- [end:claims]
se_ratio_mc = math.sqrt(var_mc / var_iid)

# %% [markdown]
# The HAC remedy: keep the sample mean, estimate its variance from the
# residuals' own autocovariances with Bartlett weights 1 − k/(L + 1)
# (Newey & West, 1987), one estimate per series.

# %%
# --8<-- [start:hac]
L = 10  # lags used
dev = y - mu_hat[:, None]
acov = [(dev[:, k:] * dev[:, : n - k]).sum(1) / n for k in range(L + 1)]
long_run = acov[0] + 2 * sum(
    (1 - k / (L + 1)) * acov[k] for k in range(1, L + 1)
)
se_hac = np.sqrt(long_run / n)
hac_share = se_hac.mean() / math.sqrt(var_exact)  # of the true s.e.
iid_share = 1 / se_ratio
assert iid_share + 0.25 < hac_share < 1, "HAC closes much of the gap, not all"
# --8<-- [end:hac]
n_effective = sigma**2 / var_exact  # independent readings worth as much
print(f"sd of the mean: {math.sqrt(var_mc):.4f} over {R} series,"
      f" exact {math.sqrt(var_exact):.4f}, i.i.d. {math.sqrt(var_iid):.4f};"
      f" ratio {se_ratio:.2f} (limit {se_ratio_limit:.2f})")
