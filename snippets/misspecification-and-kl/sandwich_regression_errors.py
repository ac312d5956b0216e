"""Under heteroscedastic noise, least squares needs sandwich (HC0) error bars.

Chapter "Misspecification and KL", the second response to misspecification:
the least-squares line is the MLE of a Gaussian with one σ for all inputs.
On data whose noise grows with |x|, it still estimates E[y|x], but the
model's own standard error of the slope, σ̂²(XᵀX)⁻¹, is wrong. The
sandwich (XᵀX)⁻¹ Xᵀdiag(r²)X (XᵀX)⁻¹ of Huber (1967) and White (1980)
matches the spread of the slope over many training sets.
"""

# %%
import math

import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)

# %%
# --8<-- [start:hc0]
# p_data: x ~ Uniform(−1, 1) and y = 1 + 2.5x + (0.1 + |x|)·ε, with ε a
# skewed, standardised Gamma(2) noise: the noise grows away from x = 0
def noise_sd(x):
    return 0.1 + np.abs(x)


# the asymptotic covariances of √N(θ̂ − θ*) for θ = (intercept, slope),
# with x̃ = (1, x) and the expectations over x by the trapezoid rule
xq = np.linspace(-1.0, 1.0, 20001)
Xq = np.stack([np.ones_like(xq), xq], axis=1)
outer = Xq[:, :, None] * Xq[:, None, :]
M = np.trapezoid(outer, xq, axis=0) / 2  # E[x̃x̃ᵀ]
B = np.trapezoid(noise_sd(xq)[:, None, None] ** 2 * outer, xq, axis=0) / 2
sandwich = np.linalg.inv(M) @ B @ np.linalg.inv(M)
sigma2_star = np.trapezoid(noise_sd(xq) ** 2, xq) / 2  # E_x Var[y|x]
model = sigma2_star * np.linalg.inv(M)  # what the Gaussian model claims
slope_ratio = math.sqrt(model[1, 1] / sandwich[1, 1])  # model SE / true SE
assert slope_ratio < 0.85, "for the slope, the model's SE is too small"
assert abs(model[0, 0] / sandwich[0, 0] - 1) < 1e-6, "for the intercept not"

R, N = 4000, 200
x = rng.uniform(-1.0, 1.0, size=(R, N))
eps = (rng.gamma(2.0, 1.0, size=(R, N)) - 2.0) / math.sqrt(2.0)
y = 1.0 + 2.5 * x + noise_sd(x) * eps
X = np.stack([np.ones_like(x), x], axis=-1)  # (R, N, 2)
XtX = np.einsum("rni,rnj->rij", X, X)
theta_hat = np.linalg.solve(XtX, np.einsum("rni,rn->ri", X, y)[..., None])[..., 0]
r = y - np.einsum("rni,ri->rn", X, theta_hat)  # residuals

# consistency: the slope estimates the slope of E[y|x] = 1 + 2.5x
slope = theta_hat[:, 1]
sd_slope = slope.std()  # the true spread over training sets
assert abs(slope.mean() - 2.5) < 4 * sd_slope / math.sqrt(R), "slope → 2.5"
z = (slope - slope.mean()) ** 2
se_var = math.sqrt(z.var() / R)
assert abs(z.mean() - sandwich[1, 1] / N) < 4 * se_var, (
    "the spread of the slope is the sandwich's"
)

# per training set: the model-based SE and the HC0 (sandwich) SE
XtX_inv = np.linalg.inv(XtX)
sigma2_hat = (r**2).mean(axis=1)  # the MLE of σ²
se_model = np.sqrt(sigma2_hat * XtX_inv[:, 1, 1])
meat = np.einsum("rni,rn,rnj->rij", X, r**2, X)
se_hc0 = np.sqrt(np.einsum("rij,rjk,rkl->ril", XtX_inv, meat, XtX_inv)
                 [:, 1, 1])
# root-mean-square SE against the true spread (HC0 runs slightly low at
# finite N: the residuals are a little smaller than the noise)
hc0_ratio = np.sqrt(np.mean(se_hc0**2)) / sd_slope  # quoted on the page
model_ratio = np.sqrt(np.mean(se_model**2)) / sd_slope
assert abs(hc0_ratio - 1) < 0.05, "HC0 matches the true spread"
assert abs(model_ratio - slope_ratio) < 0.05, "the model's SE is off, as M⁻¹"
# and a nominal 95% interval, slope ± 1.96 SE, covers 2.5 ...
cover_hc0 = np.mean(np.abs(slope - 2.5) < 1.96 * se_hc0)
cover_model = np.mean(np.abs(slope - 2.5) < 1.96 * se_model)
se_cover = math.sqrt(0.95 * 0.05 / R)
assert abs(cover_hc0 - 0.95) < 4 * se_cover + 0.01, "HC0: about 95%"
assert cover_model < 0.95 - 4 * se_cover, "model-based: too rarely"
# --8<-- [end:hc0]
