"""Under misspecification the posterior concentrates at the KL projection with the wrong width.

Chapter "Misspecification and KL": a Bayesian fit of N(μ, v) with the flat
prior on (μ, log v) to draws of ½N(−2, 0.5²) + ½N(2, 0.5²). The posterior
of v centres on the projection v* = 4.25, but its width is the model's own
J⁻¹, not the sandwich, so its 95% credible interval covers v* far more often
than 95% of the time; a sandwich interval has the stated coverage.
"""

# %%
import math

import numpy as np
import torch

SEED = 0
rng = np.random.default_rng(SEED)
torch.manual_seed(SEED)

# %%
# --8<-- [start:posterior]
A, S = 2.0, 0.5  # p_data = ½ N(−A, S²) + ½ N(A, S²)
V = A**2 + S**2  # the projection v* = 4.25
MU4 = A**4 + 6 * A**2 * S**2 + 3 * S**4  # its 4th central moment
R, N = 2000, 1000
Y = A * rng.choice([-1.0, 1.0], size=(R, N)) + S * rng.standard_normal((R, N))
SS = ((Y - Y.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)

# With the flat prior on (μ, log v), the posterior of v is SS / χ²_{N−1}
# (Gelman et al., BDA3 §3.2). Its 2.5% and 97.5% points, from the χ²
# quantiles estimated once by sampling:
chi2 = torch.distributions.Chi2(torch.tensor(float(N - 1))).sample((400_000,))
q_lo, q_hi = torch.quantile(chi2.double(), torch.tensor([0.025, 0.975],
                                                        dtype=torch.float64))
lo, hi = SS / q_hi.item(), SS / q_lo.item()  # 95% credible interval for v
post_mean = SS / (N - 3)  # the mean of SS/χ²_{N−1}
post_sd = post_mean * math.sqrt(2 / (N - 5))

# it concentrates at the projection: E[SS] = (N − 1)v* for any p_data, so
# the posterior mean averages v*(N − 1)/(N − 3) → v* ...
assert abs(post_mean.mean() - V * (N - 1) / (N - 3)) < (
    4 * post_mean.std() / math.sqrt(R)), "the posterior centres on v* = 4.25"
# ... with the width of the model's own J⁻¹ = 2v²/N, not the sandwich
assert abs(np.median(post_sd) / math.sqrt(2 * V**2 / N) - 1) < 0.02, (
    "posterior sd = √(2v²/N)"
)
width_ratio = np.median(post_sd) / math.sqrt((MU4 - V**2) / N)  # quoted
assert width_ratio > 2.5, "about 3 times the true spread of v̂"

# so the credible interval covers v* too often; a sandwich interval does not
v_hat = SS / N
plugin = np.mean((Y - Y.mean(axis=1, keepdims=True)) ** 4, axis=1) - v_hat**2
cover_bayes = np.mean((lo <= V) & (V <= hi))
cover_sandwich = np.mean(np.abs(v_hat - V) <= 1.96 * np.sqrt(plugin / N))
se = math.sqrt(0.95 * 0.05 / R)  # binomial s.e. of a 95% coverage
assert cover_bayes > 0.99, "the 95% credible interval covers ~always"
assert abs(cover_sandwich - 0.95) < 4 * se + 0.005, "the sandwich: ~95%"
# --8<-- [end:posterior]
