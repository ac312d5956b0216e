"""One data set, one fitted line, three noise models: three different models.

Chapter "Three things that get conflated". The line f_theta is fitted once and
frozen; only the noise model around it changes (Gaussian, Laplace, Student-t
with 3 degrees of freedom, each with its scale fitted by maximum likelihood).
The held-out NLL tells the three apart, and which one wins depends on the data.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(0)


def make_data(n, p_outlier):
    """y = 1 + x/2 + noise: N(0, 0.5²), or with prob. p_outlier N(0, 5²)."""
    x = rng.uniform(0, 10, n)
    gross = rng.random(n) < p_outlier
    noise = np.where(gross, rng.normal(0, 5.0, n), rng.normal(0, 0.5, n))
    return x, 1 + 0.5 * x + noise, gross


# %% [markdown]
# The three noise models, each as a full NLL with its constants. The network's
# output is the same location ŷ for all three; only the family changes.

# %%
# --8<-- [start:nlls]
NU = 3.0  # Student-t degrees of freedom, fixed
T_CONST = (
    math.lgamma(NU / 2)
    + 0.5 * math.log(NU * math.pi)
    - math.lgamma((NU + 1) / 2)
)


def nll(family, r, scale):
    """-log p(y | ŷ) for residuals r = y - ŷ, constants kept."""
    if family == "Gaussian":
        return 0.5 * np.log(2 * np.pi * scale**2) + r**2 / (2 * scale**2)
    if family == "Laplace":
        return np.log(2 * scale) + np.abs(r) / scale
    # Student-t
    z2 = r**2 / (NU * scale**2)
    return (NU + 1) / 2 * np.log1p(z2) + np.log(scale) + T_CONST


def fit_scale(family, r):
    """Maximum-likelihood scale of each noise model, ŷ held fixed."""
    if family == "Gaussian":
        return np.sqrt(np.mean(r**2))  # σ̂² = MSE
    if family == "Laplace":
        return np.mean(np.abs(r))  # b̂ = MAE
    s2 = np.mean(r**2)  # Student-t: EM fixed point (Lange et al.)
    for _ in range(500):
        w = (NU + 1) / (NU + r**2 / s2)
        s2 = np.mean(w * r**2)
    return np.sqrt(s2)
# --8<-- [end:nlls]


FAMILIES = ["Gaussian", "Laplace", "Student-t"]
COLORS = {"Gaussian": "C0", "Laplace": "C1", "Student-t": "C3"}

# constants kept: each exp(-nll) is a density (t₃ tails beyond ±10⁴ hold
# less than 1e-11 of the mass)
grid = np.linspace(-1e4, 1e4, 4_000_001)
for fam in FAMILIES:
    mass = np.exp(-nll(fam, grid, 0.7)).sum() * (grid[1] - grid[0])
    assert abs(mass - 1) < 1e-4, f"{fam} density integrates to 1"

# %%
# --8<-- [start:compare]
def held_out_nlls(p_outlier):
    x, y, _ = make_data(300, p_outlier)  # training set
    x_new, y_new, gross_new = make_data(20_000, p_outlier)  # held out
    design = np.column_stack([np.ones_like(x), x])
    w = np.linalg.lstsq(design, y, rcond=None)[0]  # f_θ, fitted once

    def f_theta(x):
        return w[0] + w[1] * x

    r, r_new = y - f_theta(x), y_new - f_theta(x_new)
    scales = {fam: fit_scale(fam, r) for fam in FAMILIES}
    per_point = {fam: nll(fam, r_new, scales[fam]) for fam in FAMILIES}
    return dict(x=x, y=y, f_theta=f_theta, scales=scales, r_new=r_new,
                gross_new=gross_new, per_point=per_point)


def gap(res, worse, better):
    """Mean held-out NLL difference, and its standard error."""
    d = res["per_point"][worse] - res["per_point"][better]
    return d.mean(), d.std() / math.sqrt(d.size)


dirty = held_out_nlls(p_outlier=0.1)  # 10 % gross outliers
clean = held_out_nlls(p_outlier=0.0)  # Gaussian noise only

# with outliers: Student-t < Laplace < Gaussian, each gap > 5 std. errors
for worse, better in [("Gaussian", "Laplace"), ("Laplace", "Student-t")]:
    g, se = gap(dirty, worse, better)
    assert g > 5 * se, f"outliers: {better} beats {worse} held out"
# without outliers the Gaussian wins
for worse in ["Laplace", "Student-t"]:
    g, se = gap(clean, worse, "Gaussian")
    assert g > 5 * se, f"clean: Gaussian beats {worse} held out"
# --8<-- [end:compare]

for name, res in [("10 % outliers", dirty), ("clean", clean)]:
    means = {f: round(float(res["per_point"][f].mean()), 3) for f in FAMILIES}
    scales = {f: round(float(s), 3) for f, s in res["scales"].items()}
    print(f"{name}: held-out NLL {means}, scales {scales}")

# %% [markdown]
# The same ŷ, three central 90 % bands. Their half-widths are the 95 %
# quantile of each noise model: 1.645 σ̂, b̂ log 10, and 2.353 ŝ for t₃.

# %%
# --8<-- [start:coverage]
HALF_WIDTH = {
    "Gaussian": 1.6448536269514722,  # Φ⁻¹(0.95)
    "Laplace": math.log(10),  # b log(1 / (2·0.05))
    "Student-t": 2.3533634348018264,  # t₃ quantile 0.95
}
r_new, gross = dirty["r_new"], dirty["gross_new"]
half = {f: HALF_WIDTH[f] * dirty["scales"][f] for f in FAMILIES}
inside = {f: np.abs(r_new) < half[f] for f in FAMILIES}
# the Gaussian band is set by σ̂, which the outliers inflate: it covers
# a fraction p_in of N(0, 0.5²) inliers and p_out of N(0, 5²) outliers


def band_coverage(sigma_hat):
    z = HALF_WIDTH["Gaussian"] * sigma_hat / math.sqrt(2)
    return math.erf(z / 0.5), math.erf(z / 5.0)


# with unlimited training data σ̂² = 0.9·0.5² + 0.1·5² = 2.725
p_in_pop, p_out_pop = band_coverage(math.sqrt(0.9 * 0.25 + 0.1 * 25))
assert 1 - p_in_pop < 1e-7 and abs(p_out_pop - 0.413) < 5e-4, (
    "in the population: all inliers, 41 % of the outliers"
)
# from 300 training points σ̂ varies a lot, yet p_in > 0.99 and p_out < 0.6
# fail only if σ̂ < 0.78 or σ̂ > 2.56: on fewer than 0.1 % of draws (below)
p_in, p_out = band_coverage(dirty["scales"]["Gaussian"])
assert p_in > 0.99 and p_out < 0.6, (
    "too wide for inliers, too narrow for outliers"
)
assert abs(inside["Gaussian"][~gross].mean() - p_in) < 0.005, "inlier coverage"
assert abs(inside["Gaussian"][gross].mean() - p_out) < 0.04, "outlier coverage"
coverage = inside["Gaussian"].mean()
assert abs(coverage - (0.9 * p_in + 0.1 * p_out)) < 0.01, (
    "the nominal 90 % band covers 0.9 p_in + 0.1 p_out of new points"
)
# --8<-- [end:coverage]
print({f: round(float(inside[f].mean()), 3) for f in FAMILIES},
      {f: round(float(h), 3) for f, h in half.items()},
      f"p_in {p_in:.6f}, p_out {p_out:.3f};"
      f" population: 1 - p_in {1 - p_in_pop:.1e}, p_out {p_out_pop:.3f}")

# %% [markdown]
# How typical is this draw's σ̂? Repeat the training step on 4000 fresh
# training sets of 300 points (a least-squares line and its mean squared
# residual, in closed form) and look at the spread of σ̂.

# %%
# --8<-- [start:typical]
x_rep = rng.uniform(0, 10, (4000, 300))
scale_rep = np.where(rng.random((4000, 300)) < 0.1, 5.0, 0.5)
y_rep = 1 + 0.5 * x_rep + scale_rep * rng.standard_normal((4000, 300))
xc = x_rep - x_rep.mean(1, keepdims=True)
yc = y_rep - y_rep.mean(1, keepdims=True)
slope = (xc * yc).sum(1) / (xc**2).sum(1)
sigma_rep = np.sqrt(((yc - slope[:, None] * xc) ** 2).mean(1))
q05, median, q95 = np.quantile(sigma_rep, [0.05, 0.5, 0.95])
# 4 Monte Carlo standard errors of each quantile (about 0.005, 0.008, 0.01)
assert abs(median - 1.63) < 0.02, "the median σ̂ over draws is 1.63"
assert abs(q05 - 1.25) < 0.03 and abs(q95 - 2.02) < 0.04, (
    "90 % of draws give σ̂ between 1.25 and 2.02"
)
assert np.mean((sigma_rep > 0.78) & (sigma_rep < 2.56)) > 0.999, (
    "p_in > 0.99 and p_out < 0.6 on all but a tiny fraction of draws"
)
# p_out at the 5 %, 50 % and 95 % points of σ̂: 0.32, 0.41 and 0.49
p_out_q = [band_coverage(q)[1] for q in (q05, median, q95)]
assert np.allclose(p_out_q, [0.32, 0.41, 0.49], atol=0.015), "p_out range"
# --8<-- [end:typical]
below = np.mean(sigma_rep < dirty["scales"]["Gaussian"])
print(f"σ̂ over draws: median {median:.3f}, 5-95 % {q05:.3f}-{q95:.3f},"
      f" min {sigma_rep.min():.3f}, max {sigma_rep.max():.3f};"
      f" this draw's σ̂ is above {below:.1%} of them")

# %%
fig, axes = plt.subplot_mosaic(
    [["Gaussian", "Laplace", "Student-t"], ["res", "res", "res"]],
    figsize=(9, 6),
    height_ratios=[1.1, 1],
    num="three-things-noise-bands",
)
xs = np.linspace(0, 10, 201)
x, y, f_theta = dirty["x"], dirty["y"], dirty["f_theta"]
for fam in FAMILIES:
    ax = axes[fam]
    mean_nll = dirty["per_point"][fam].mean()
    ax.fill_between(xs, f_theta(xs) - half[fam], f_theta(xs) + half[fam],
                    color=COLORS[fam], alpha=0.25, lw=0,
                    label="central 90 %")
    ax.plot(x, y, "o", color="C7", ms=2.5, alpha=0.6, label="data")
    ax.plot(xs, f_theta(xs), color="k", lw=1.2,
            label="$\\hat y = f_\\theta(x)$")
    ax.set_title(f"{fam}\nheld-out NLL {mean_nll:.2f}", fontsize=10)
    ax.set_xlabel("$x$")
    # show every training point, however far out
    ax.set_ylim(min(-6, y.min() - 1), max(15, y.max() + 1))
axes["Gaussian"].set_ylabel("$y$")
axes["Gaussian"].legend(fontsize=7.5, loc="upper left")

ax = axes["res"]
rs = np.linspace(-15, 15, 601)
ax.hist(r_new, bins=np.linspace(-15, 15, 121), density=True, color="C7",
        alpha=0.5, label="held-out residuals $r = y - \\hat y$")
for fam in FAMILIES:
    density = np.exp(-nll(fam, rs, dirty["scales"][fam]))
    ax.plot(rs, density, color=COLORS[fam], label=fam)
ax.set_yscale("log")
ax.set_ylim(1e-4, 2)
ax.set(xlabel="residual $r$", ylabel="density (log scale)")
ax.legend(fontsize=8, loc="upper right")
plt.show()
