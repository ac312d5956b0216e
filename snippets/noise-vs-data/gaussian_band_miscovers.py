"""MSE gets E[y|x] right; the Gaussian it implies gets the spread wrong.

Chapter "Noise model vs data distribution". On skewed, heteroscedastic data
the Gaussian quasi-MLE line is the conditional mean, yet the Gaussian's
90 % upper bound, mean + 1.28 sigma, covers far more than 90 % of y where
the noise is small and far less where it is large.
"""

# %%
import math

import torch

SEED = 0
torch.manual_seed(SEED)
n = 2000
x = torch.rand(n, dtype=torch.float64)
s = 0.25 + x  # the spread grows with x
e = torch.distributions.Exponential(torch.tensor(1.0, dtype=torch.float64))
# skewed noise with mean 0: y | x = 1 + 2x + s(x) (E - 1), E ~ Exp(1)
y = 1 + 2 * x + s * (e.sample((n,)) - 1)

# %%
# --8<-- [start:gaussian]
# the Gaussian MLE with a linear mean and one sigma: least squares for the
# line, then sigma^2 = mean squared residual
X = torch.stack([torch.ones_like(x), x], 1)
w = torch.linalg.lstsq(X, y[:, None]).solution.squeeze(1)
sigma_hat = (y - X @ w).pow(2).mean().sqrt()
z = torch.special.ndtri(torch.tensor(0.9, dtype=torch.float64))  # 1.2816
assert abs(float(z) - 1.2816) < 5e-5, "the 0.9-quantile of N(0, 1)"


def upper(x0):  # the Gaussian's 0.9-quantile at x0
    return w[0] + w[1] * x0 + z * sigma_hat


def coverage(x0):  # P(y <= upper(x0) | x0) under the true noise
    s0 = 0.25 + x0
    return 1 - math.exp(-(1 + (upper(x0) - (1 + 2 * x0)) / s0))


# --8<-- [end:gaussian]

# %%
# --8<-- [start:claims]
# the mean line is right: intercept 1 and slope 2, within 4 standard
# errors from the sandwich (X'X)^-1 X' diag(s^2) X (X'X)^-1
bread = torch.linalg.inv(X.T @ X)
se = (bread @ (X.T * s**2) @ X @ bread).diag().sqrt()
assert (w - torch.tensor([1.0, 2.0]).double()).abs().lt(4 * se).all(), (
    "least squares finds E[y|x] = 1 + 2x"
)
# its one sigma is sqrt(E[s^2]) = 0.80; the delta method gives its standard
# error from E[s^2], E[s^4] and E[(E - 1)^4] = 9
es2, es4 = (1.25**3 - 0.25**3) / 3, (1.25**5 - 0.25**5) / 5
sigma_pop = math.sqrt(es2)  # not E[s] = 0.75
se_sigma = math.sqrt((9 * es4 - es2**2) / n) / (2 * sigma_pop)
assert abs(sigma_hat - sigma_pop) < 4 * se_sigma, "sigma = 0.80"
# 2000 points cannot tell sqrt(E[s^2]) from E[s] = 0.75; 100 000 more can
n_big = 100_000
x_big = torch.rand(n_big, dtype=torch.float64)
y_big = 1 + 2 * x_big + (0.25 + x_big) * (e.sample((n_big,)) - 1)
X_big = torch.stack([torch.ones_like(x_big), x_big], 1)
w_big = torch.linalg.lstsq(X_big, y_big[:, None]).solution.squeeze(1)
sigma_big = (y_big - X_big @ w_big).pow(2).mean().sqrt()
tol_big = 4 * se_sigma * math.sqrt(n / n_big)  # 4 standard errors
assert abs(sigma_big - sigma_pop) < tol_big, "sigma = sqrt(E[s^2]) = 0.80"
# its "90 %" bound covers 99 % of y at x = 0 and 84 % at x = 1 (with the
# true line and sigma: 0.994 and 0.839; from draw to draw of the data,
# these move with a standard deviation of about 0.001 and 0.010)
assert coverage(0.0) > 0.98, "over-covers where the noise is small"
assert coverage(1.0) < 0.88, "under-covers where the noise is large"
# the data agree, in the first and last tenth of x: the fraction below
# the bound matches the mean of coverage(x_i) over the tenth's points, to
# within 4 standard errors of a sum of independent Bernoulli(c_i) (4, not
# 3: in the first tenth only about 2 points in 200 are expected above the
# bound, so the count is skewed and its tail heavier than a normal's)
tenths = {}
for lo in (0.0, 0.9):
    sel = (x >= lo) & (x < lo + 0.1)
    c = torch.tensor([coverage(float(xi)) for xi in x[sel]]).double()
    frac = (y[sel] <= upper(x[sel])).double().mean()
    se_frac = (c * (1 - c)).sum().sqrt() / sel.sum()
    assert abs(frac - c.mean()) < 4 * se_frac, "the empirical coverage matches"
    tenths[lo] = (float(frac), float(c.mean()))
# yet over all the data at once the bound looks almost right. With the true
# line and sigma, the population coverage is the integral over x in [0, 1]
# of 1 - exp(-(1 + 1.2816 sigma / s(x))) = 0.911 (midpoint rule)
xm = (torch.arange(100_000, dtype=torch.float64) + 0.5) / 100_000
c_pop = (1 - torch.exp(-(1 + z * sigma_pop / (0.25 + xm)))).mean()
se_90 = math.sqrt(0.9 * 0.1 / n)  # 0.0067: a binomial check of "90 %"
assert 1 < (c_pop - 0.9) / se_90 < 2, "only 1-2 standard errors from 90 %"
overall = (y <= upper(x)).double().mean()
assert abs(overall - c_pop) < 3 * math.sqrt(c_pop * (1 - c_pop) / n), (
    "the overall coverage is the population value, 0.911"
)
# --8<-- [end:claims]
cov_x0, cov_x1 = coverage(0.0), coverage(1.0)
frac_first, pred_first = tenths[0.0]
frac_last, pred_last = tenths[0.9]
se_a, se_b = se.tolist()  # sandwich standard errors of intercept and slope
sigma_mean_s = (0.25 + 1.25) / 2  # E[s], the plausible wrong answer
overall_gap_in_se = (c_pop - 0.9) / se_90

# %% [markdown]
# Exercise 4: for large n, the ratio of the sandwich standard error to the
# textbook one, from the moments of s(x)² = (0.25 + x)² with x ~ U[0, 1].

# %%
# --8<-- [start:exercise]
m0 = 1 / 3 + 0.5 / 2 + 0.0625  # E[s²] = ∫ (x² + x/2 + 1/16) dx
m1 = 1 / 4 + 0.5 / 3 + 0.0625 / 2  # E[x s²]
m2 = 1 / 5 + 0.5 / 4 + 0.0625 / 3  # E[x² s²]
nvar_a_textbook, nvar_b_textbook = 4 * m0, 12 * m0
nvar_a_sandwich = 16 * m0 - 48 * m1 + 36 * m2  # row (4, -6) of E[zz']⁻¹
nvar_b_sandwich = 36 * m0 - 144 * m1 + 144 * m2  # row (-6, 12)
ratio_a = math.sqrt(nvar_a_sandwich / nvar_a_textbook)
ratio_b = math.sqrt(nvar_b_sandwich / nvar_b_textbook)
overstate_a, understate_b = 1 / ratio_a - 1, 1 - 1 / ratio_b
# Exercise 2: with the right mean and variance at every x, the Gaussian's
# 0.9-quantile mu + z sigma(x) sits where E - 1 = z, so it covers
upper_learned = 1 - math.exp(-(1 + float(z)))  # 1 - e^{-2.2816}
se_a_large_n = math.sqrt(nvar_a_sandwich / n)
se_b_large_n = math.sqrt(nvar_b_sandwich / n)
# --8<-- [end:exercise]
for k, m in enumerate((m0, m1, m2)):  # the moments, by the midpoint rule
    assert abs(float((xm**k * (0.25 + xm) ** 2).mean()) - m) < 1e-9, (
        "the moments of s(x)² are right"
    )
assert abs(m0 - es2) < 1e-12, "E[s²] is the one used above"
assert abs(upper_learned - 0.898) < 5e-4, "the learned-variance bound covers 89.8 %"
assert ratio_a < 0.75 and 1 < ratio_b < 1.1, "intercept overstated, slope under"
# the sample's sandwich standard errors are close to the large-n ones
assert abs(se_a / se_a_large_n - 1) < 0.1 and abs(se_b / se_b_large_n - 1) < 0.1, (
    "the sample sandwich is near its large-n value"
)
print(
    f"line {w[0]:.3f} + {w[1]:.3f} x, sigma_hat {sigma_hat:.3f};"
    f" coverage at x=0 {coverage(0.0):.3f}, at x=1 {coverage(1.0):.3f};"
    f" first tenth: data {tenths[0.0][0]:.3f}, predicted"
    f" {tenths[0.0][1]:.3f}; last tenth: data {tenths[0.9][0]:.3f},"
    f" predicted {tenths[0.9][1]:.3f}; overall {overall:.4f},"
    f" population {c_pop:.4f}, (c_pop - 0.9) / se_90"
    f" {(c_pop - 0.9) / se_90:.2f}; sandwich standard errors {se.tolist()}"
)
