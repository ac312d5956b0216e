"""MSE on log y estimates E[log y | x]: its exponential is the median of y, not the mean.

Chapter "Noise model vs data distribution", target transforms. The targets
are log-normal given x. Least squares on log y finds the conditional mean of
log y; exponentiating it gives the conditional geometric mean, which for
log-normal noise is the median of y and lies below E[y | x] by the factor
exp(-σ²/2). Duan's (1983) smearing estimate puts the mean back.
"""

# %%
import math

import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
n, sigma = 4000, 0.8
x = rng.uniform(0, 1, n)
# log y | x ~ N(0.5 + 1.5 x, 0.8²): y is log-normal given x
y = np.exp(0.5 + 1.5 * x + sigma * rng.standard_normal(n))


def median_y(x0):  # exp of the mean of log y
    return math.exp(0.5 + 1.5 * x0)


def mean_y(x0):  # E[y | x] = exp(mu + sigma²/2) for log-normal noise
    return math.exp(0.5 + 1.5 * x0 + sigma**2 / 2)


# %%
# --8<-- [start:fit]
X = np.column_stack([np.ones(n), x])
w = np.linalg.lstsq(X, np.log(y), rcond=None)[0]  # MSE on log y
resid = np.log(y) - X @ w
smear = np.mean(np.exp(resid))  # Duan's smearing factor


def back_transformed(x0):  # exp of the fit: the naive prediction of y
    return math.exp(w[0] + w[1] * x0)


def smeared(x0):  # Duan: exp(fit) times the mean of exp(residuals)
    return back_transformed(x0) * smear


# --8<-- [end:fit]

# %%
# --8<-- [start:claims]
# E exp(s Z) = exp(s²/2) for Z ~ N(0, 1), at two generic s (quadrature)
zg = np.linspace(-12, 12, 24_001)
for s in (sigma, 0.37):
    quad = np.sum(np.exp(s * zg - zg**2 / 2)) * (zg[1] - zg[0])
    assert abs(quad / math.sqrt(2 * math.pi) - math.exp(s**2 / 2)) < 1e-9, (
        "the log-normal mean factor is exp(s²/2)"
    )
assert abs(mean_y(0.3) / median_y(0.3) - math.exp(sigma**2 / 2)) < 1e-12, (
    "mean / median = exp(sigma²/2)"
)
cov = np.mean(resid**2) * np.linalg.inv(X.T @ X)  # the log-scale fit
for x0 in (0.0, 1.0):  # two points pin down a line
    z0 = np.array([1.0, x0])
    se_log = math.sqrt(z0 @ cov @ z0)  # standard error of log of the fit
    log_fit = math.log(back_transformed(x0))
    assert abs(log_fit - math.log(median_y(x0))) < 4 * se_log, (
        "exp of the log-scale fit is the median of y"
    )
    assert math.log(mean_y(x0)) - log_fit > 4 * se_log, (
        "and lies well below the mean of y"
    )
    # the smearing factor's log has variance about (e^{σ²} - 1)/n
    se_smeared = math.sqrt(se_log**2 + math.expm1(sigma**2) / n)
    assert abs(math.log(smeared(x0) / mean_y(x0))) < 4 * se_smeared, (
        "Duan's smearing estimate recovers E[y | x]"
    )
# --8<-- [end:claims]
gap_factor = math.exp(sigma**2 / 2)  # mean / median
naive_1, median_1, mean_1, smeared_1 = (
    back_transformed(1.0), median_y(1.0), mean_y(1.0), smeared(1.0)
)
print(f"at x = 1: exp(fit) {naive_1:.3f} (median {median_1:.3f}),"
      f" smeared {smeared_1:.3f} (mean {mean_1:.3f}); smear {smear:.4f}"
      f" (exp(sigma²/2) = {gap_factor:.4f})")
