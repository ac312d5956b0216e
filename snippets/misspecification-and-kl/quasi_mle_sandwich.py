"""A misspecified MLE still converges, but its error bars need the sandwich.

Chapter "Misspecification and KL", the second response to misspecification:
fit N(μ, σ²) to samples of ½N(−2, 0.5²) + ½N(2, 0.5²). The MLE converges to
the KL projection (0, 4.25), and the spread of σ̂² follows White's sandwich
variance, (μ₄ − σ⁴)/N, not the Gaussian model's own 2σ⁴/N.
"""

# %%
import math

import numpy as np

rng = np.random.default_rng(0)

# %%
# --8<-- [start:sandwich]
A, S = 2.0, 0.5  # p_data = ½ N(−A, S²) + ½ N(A, S²)
V = A**2 + S**2  # variance: 4.25
MU4 = A**4 + 6 * A**2 * S**2 + 3 * S**4  # 4th central moment: 22.1875
# kurtosis 1.23, against 3 for a Gaussian: bimodal, hence platykurtic
assert abs(MU4 / V**2 - 1.23) < 5e-3, "strongly platykurtic"

R, N = 4000, 200  # 4000 training sets of 200 points each
Y = A * rng.choice([-1.0, 1.0], size=(R, N)) + S * rng.standard_normal((R, N))
mu_hat = Y.mean(axis=1)  # the Gaussian MLE: sample mean ...
var_hat = Y.var(axis=1)  # ... and biased sample variance

# it targets the projection θ* = (0, 4.25); E[σ̂²] = V (N − 1)/N exactly
se_mu, se_var = mu_hat.std() / math.sqrt(R), var_hat.std() / math.sqrt(R)
assert abs(mu_hat.mean() - 0.0) < 4 * se_mu, "μ̂ → μ* = 0"
assert abs(var_hat.mean() - V * (N - 1) / N) < 4 * se_var, "σ̂² → 4.25"

# its spread: the sandwich J⁻¹KJ⁻¹ for σ² is μ₄ − σ⁴ (here, its exact
# finite-N form, the variance of the biased sample variance)
spread = var_hat.var()
sandwich = ((N - 1) / N) ** 2 * (MU4 - V**2 * (N - 3) / (N - 1)) / N
model_based = 2 * V**2 / N  # inverse Fisher information of the Gaussian
assert abs(sandwich - 0.021) < 5e-4 and abs(model_based - 0.181) < 5e-4
assert abs(spread / sandwich - 1) < 0.1, "the sandwich predicts the spread"
# The spread is within 10% of the sandwich, so the ratio of standard
# errors is within 5% of √(model_based / sandwich) = 2.91.
sd_ratio = math.sqrt(model_based / spread)
assert 2.7 < sd_ratio < 3.1, "the model's own error bar is ~3x too wide"
# --8<-- [end:sandwich]

# %% [markdown]
# The sandwich can be estimated from one sample, with plug-in moments.

# %%
# --8<-- [start:plugin]
m4_hat = np.mean((Y - mu_hat[:, None]) ** 4, axis=1)
plugin = (m4_hat - var_hat**2) / N  # one estimate per training set
assert abs(np.median(plugin) / spread - 1) < 0.15, "plug-in sandwich works"
naive = 2 * var_hat**2 / N  # the Gaussian model's own variance formula
assert np.median(naive / plugin) > 5, "naive variance typically >5x too big"
# --8<-- [end:plugin]
