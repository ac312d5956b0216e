"""The noise is whatever f_theta leaves out; its size and shape depend on it.

Chapter "Three things that get conflated", the housing example. The same
simulated market is fitted twice: with floor area only, and with floor area and
whether the house was renovated. Leaving the renovation out does not make the
world noisier, but it makes the residuals larger and bimodal.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
n = 20_000

# %%
# --8<-- [start:market]
area = rng.uniform(50, 150, n)  # m²
renovated = (rng.random(n) < 0.5).astype(float)
# negotiation, timing, ...: many small factors, together N(0, 20²)
small_factors = rng.normal(0, 20, n)
price = 50 + 3 * area + 60 * renovated + small_factors  # k€


def residuals(*features):
    """Least-squares fit of price on the features; returns y - ŷ."""
    design = np.column_stack([np.ones(n), *features])
    w = np.linalg.lstsq(design, price, rcond=None)[0]
    return price - design @ w


r_area = residuals(area)  # f_θ sees the area only
r_both = residuals(area, renovated)  # f_θ sees area and renovation
# --8<-- [end:market]

# %% [markdown]
# Left out, the renovation becomes part of the "noise": ±30 k€ around the
# fitted line with probability ½ each, plus N(0, 20²). That two-bump mixture
# has variance 20² + 30² and excess kurtosis −2·30⁴ / (20² + 30²)².

# %%
# --8<-- [start:check]
def excess_kurtosis(r):
    z = (r - r.mean()) / r.std()
    return np.mean(z**4) - 3


half_effect, s = 60 / 2, 20.0
var_area = s**2 + half_effect**2  # 1300
kurt_area = -2 * half_effect**4 / var_area**2  # -0.959
# the page's -0.959, and Exercise 3's -0.26 for a renovation effect of 30
assert abs(kurt_area + 0.959) < 5e-4, "-2·30⁴/1300²"
assert abs(-2 * 15**4 / (15**2 + s**2) ** 2 + 0.26) < 5e-3, "-2·15⁴/625²"
assert abs(r_area.var() / var_area - 1) < 0.05, "variance 20² + 30²"
assert abs(r_both.var() / s**2 - 1) < 0.05, "variance 20²"
assert abs(excess_kurtosis(r_area) - kurt_area) < 0.1, "platykurtic mixture"
assert abs(excess_kurtosis(r_both)) < 4 * math.sqrt(24 / n), "Gaussian"
# bimodal: fewer residuals near 0 than near ±30 (density ratio 0.64)
near_0 = np.mean(np.abs(r_area) < 5)
near_30 = np.mean(np.abs(np.abs(r_area) - 30) < 5) / 2
assert near_0 < 0.8 * near_30, "a dip between two bumps"
# --8<-- [end:check]
sd_area, sd_both = r_area.std(), r_both.std()
kurt_area_sample = excess_kurtosis(r_area)
dip_ratio = near_0 / near_30
print(
    f"area only: sd {r_area.std():.1f}, excess kurtosis "
    f"{excess_kurtosis(r_area):.3f} (predicted {kurt_area:.3f}), "
    f"dip ratio {near_0 / near_30:.2f}; "
    f"area + renovation: sd {r_both.std():.1f}, excess kurtosis "
    f"{excess_kurtosis(r_both):.3f}"
)

# %%
fig, axes = plt.subplots(
    1, 2, figsize=(9, 3.4), sharey=True, num="three-things-housing-residuals",
    layout="constrained",
)
bins = np.linspace(-140, 140, 113)
rr = np.linspace(-140, 140, 561)
panels = [
    (r_area, "$f_\\theta$(area)"),
    (r_both, "$f_\\theta$(area, renovated)"),
]
for ax, (res, title) in zip(axes, panels):
    sd = res.std()
    ax.hist(res, bins=bins, density=True, color="C7", alpha=0.6,
            label="residuals $y - \\hat y$")
    ax.plot(rr, np.exp(-(rr**2) / (2 * sd**2)) / math.sqrt(2 * math.pi)
            / sd, color="C0", label=f"Gaussian, $\\hat\\sigma$ = {sd:.0f} k€")
    ax.set(title=title, xlabel="residual (k€)")
    ax.legend(fontsize=8, loc="upper left")
axes[0].set_ylabel("density")
plt.show()
