"""One data set, one fitted line, three noise models: three different models.

Chapter "Three things that get conflated". The line f_theta is fitted once and
frozen; only the noise model around it changes (Gaussian, Laplace, Student-t
with 3 degrees of freedom, each with its scale fitted by maximum likelihood).
The held-out NLL tells the three apart, and which one wins depends on the data.
Their central bands are then checked at several levels at once: the Gaussian
band is miscalibrated across levels, the Student-t band much less so.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)


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

# constants kept: each exp(-nll) is a density (t₃ tails beyond ±2000 hold
# less than 1e-9 of the mass)
grid = np.linspace(-2000, 2000, 800_001)
for fam in FAMILIES:
    mass = np.exp(-nll(fam, grid, 0.7)).sum() * (grid[1] - grid[0])
    assert abs(mass - 1) < 1e-4, f"{fam} density integrates to 1"

# %%
# --8<-- [start:compare]
def held_out_nlls(p_outlier):
    x, y, _ = make_data(300, p_outlier)  # training set
    x_new, y_new, _ = make_data(20_000, p_outlier)  # held out
    design = np.column_stack([np.ones_like(x), x])
    w = np.linalg.lstsq(design, y, rcond=None)[0]  # f_θ, fitted once

    def f_theta(x):
        return w[0] + w[1] * x

    r, r_new = y - f_theta(x), y_new - f_theta(x_new)
    scales = {fam: fit_scale(fam, r) for fam in FAMILIES}
    per_point = {fam: nll(fam, r_new, scales[fam]) for fam in FAMILIES}
    return dict(x=x, y=y, w=w, f_theta=f_theta, scales=scales,
                r_new=r_new, per_point=per_point)


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

# the numbers the page quotes: held-out NLLs, nats per point
nll_dirty = {f: float(dirty["per_point"][f].mean()) for f in FAMILIES}
nll_clean = {f: float(clean["per_point"][f].mean()) for f in FAMILIES}
nll_dirty_gauss, nll_dirty_laplace, nll_dirty_t = nll_dirty.values()
nll_clean_gauss, nll_clean_laplace, nll_clean_t = nll_clean.values()
sigma_hat, b_hat, s_hat = dirty["scales"].values()
print(f"held-out NLL with outliers {nll_dirty}, clean {nll_clean};"
      f" scales {dirty['scales']}")

# %% [markdown]
# Bands at several levels. A model's central band at level p runs from its
# (1 − p)/2 to its (1 + p)/2 quantile around ŷ. Each model's quantiles, by
# bisection on its CDF (the t₃ CDF has a closed form).


# %%
def bisect(cdf, target, lo, hi):
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < target else (lo, mid)
    return (lo + hi) / 2


def normal_cdf(z):
    return 0.5 * math.erfc(-z / math.sqrt(2))


def t3_cdf(z):
    return 0.5 + (z / (math.sqrt(3) * (1 + z * z / 3))
                  + math.atan(z / math.sqrt(3))) / math.pi


# --8<-- [start:levels]
def half_width(family, scale, level):
    """Half-width of a noise model's central band of probability `level`."""
    if family == "Laplace":  # 1 - exp(-h / b) = level
        return -scale * math.log(1 - level)
    cdf = normal_cdf if family == "Gaussian" else t3_cdf
    return scale * bisect(cdf, (1 + level) / 2, 0.0, 1e3)


LEVELS = np.array([0.5, 0.8, 0.9, 0.95, 0.99])  # nominal levels
# the true noise: N(0, 0.5²) with prob. 0.9, N(0, 5²) with prob. 0.1
WEIGHT, SD = np.array([0.9, 0.1]), np.array([0.5, 5.0])
_erfc = np.frompyfunc(math.erfc, 1, 1)


def Phi(z):  # the standard normal CDF, elementwise
    return 0.5 * _erfc(-z / math.sqrt(2)).astype(float)

# new x is uniform on [0, 10]: average over it by Gauss–Legendre
nodes, node_w = np.polynomial.legendre.leggauss(8)
x_nodes, node_w = 5 + 5 * nodes, node_w / 2


def true_coverage(h, d0=0.0, d1=0.0):
    """P(|y - ŷ| < h) for a new (x, y) when ŷ - E[y|x] = d0 + d1 x.

    y - ŷ = ε - d(x) with ε from the true mixture, so the band covers
    Σ_c w_c [Φ((h + d)/sd_c) - Φ((d - h)/sd_c)], averaged over x.
    """
    h, d0, d1 = (np.asarray(v, float)[..., None, None] for v in (h, d0, d1))
    d = d0 + d1 * x_nodes[:, None]
    inside = Phi((h + d) / SD) - Phi((d - h) / SD)
    return (inside * WEIGHT).sum(-1) @ node_w
# --8<-- [end:levels]


# the constants the page types: 1.645 σ̂, b̂ log 10 and 2.353 ŝ at 90 %,
# and 0.6745 σ̂ and 2.5758 σ̂ for the Gaussian at 50 % and 99 %
assert abs(half_width("Gaussian", 1.0, 0.5) - 0.6745) < 5e-5, "Φ⁻¹(0.75)"
assert abs(half_width("Gaussian", 1.0, 0.99) - 2.5758) < 5e-5, "Φ⁻¹(0.995)"
assert abs(half_width("Gaussian", 1.0, 0.9) - 1.6448536) < 1e-6, "Φ⁻¹(0.95)"
assert abs(half_width("Student-t", 1.0, 0.9) - 2.3533634) < 1e-6, "t₃ 0.95"
assert abs(half_width("Laplace", 1.0, 0.9) - math.log(10)) < 1e-12, "log 10"
half_gauss, half_laplace, half_t = (
    half_width(f, dirty["scales"][f], 0.9) for f in FAMILIES
)

# %% [markdown]
# With unlimited training data the line is exact and each scale takes its
# population value: σ̂² = E r², b̂ = E|r| = √(2/π) E sd, and ŝ the fixed
# point (5) with the mean taken over the mixture's density (quadrature).

# %%
# --8<-- [start:population]
r_grid = np.linspace(-80, 80, 80_001)
dr = r_grid[1] - r_grid[0]


def normal_pdf(r, sd):
    return np.exp(-0.5 * (r / sd) ** 2) / (sd * math.sqrt(2 * math.pi))


def t_scale(density, far=0.0, at=math.inf):
    """The Student-t fixed point (5), with the mean taken over a density.

    A further fraction `far` of the points sits at residual ±`at`; there
    each adds w r² = (ν + 1) s² at² / (ν s² + at²), which tends to (ν + 1) s²
    as `at` grows.
    """
    s2, previous = 1.0, 0.0
    while abs(s2 - previous) > 1e-13:
        w = (NU + 1) / (NU + r_grid**2 / s2)
        far_term = (NU + 1) * s2 / (1 + NU * s2 / at**2)
        s2, previous = np.sum(w * r_grid**2 * density) * dr + far * far_term, s2
    return math.sqrt(s2)


mixture = sum(wc * normal_pdf(r_grid, sd) for wc, sd in zip(WEIGHT, SD))
pop = {
    "Gaussian": math.sqrt(np.sum(WEIGHT * SD**2)),  # √2.725
    "Laplace": math.sqrt(2 / math.pi) * np.sum(WEIGHT * SD),
    "Student-t": t_scale(mixture),
}
inliers_only = {
    "Gaussian": 0.5,
    "Laplace": 0.5 * math.sqrt(2 / math.pi),
    "Student-t": t_scale(normal_pdf(r_grid, 0.5)),
}
# how much 10 % outliers inflate each scale
inflate_gauss, inflate_laplace, inflate_t = (
    pop[f] / inliers_only[f] - 1 for f in FAMILIES
)
cov_pop = {f: true_coverage([half_width(f, pop[f], p) for p in LEVELS])
           for f in FAMILIES}
# --8<-- [end:population]
# how far can 10 % outliers push ŝ? Each outlier's term in (5) grows with
# its |r|, so the worst case puts them all infinitely far out: 90 % inliers
# and 10 % at ±∞, each adding (ν + 1) s², a fixed point only while
# 0.1 (ν + 1) < 1
t_ratio_bound = t_scale(0.9 * normal_pdf(r_grid, 0.5), far=0.1) / (
    inliers_only["Student-t"])
t_ratio_at = [  # outliers at ±5, ±50, ±500: the rise grows towards it
    t_scale(0.9 * normal_pdf(r_grid, 0.5), far=0.1, at=d)
    / inliers_only["Student-t"] for d in (5.0, 50.0, 500.0)
]
inflate_t_bound = t_ratio_bound - 1  # in ŝ
inflate_t2_bound = t_ratio_bound**2 - 1  # in ŝ²
inflate_t2 = (1 + inflate_t) ** 2 - 1  # this contamination's rise in ŝ²
# the bound solves the condition E_in[(ν + 1) z² / (ν c² + z²)] = 2/3 for
# z ~ N(0, 1), with c = ŝ / 0.5: (1 - 0.1 (ν + 1)) / 0.9, by Gauss–Hermite
gh_z, gh_w = np.polynomial.hermite_e.hermegauss(120)
gh_w = gh_w / gh_w.sum()


def inlier_mean_w_r2(c):
    """E[(ν + 1) z² / (ν c² + z²)] for z ~ N(0, 1): mean of w r² / s²."""
    return np.sum(gh_w * (NU + 1) * gh_z**2 / (NU * c**2 + gh_z**2))


c_in = inliers_only["Student-t"] / 0.5
assert abs(inlier_mean_w_r2(c_in) - 1) < 1e-6, "ŝ_in solves (5) on inliers"
assert abs(inlier_mean_w_r2(c_in * t_ratio_bound)
           - (1 - 0.1 * (NU + 1)) / 0.9) < 1e-6, "the bound's fixed point"
assert all(a < b for a, b in zip(t_ratio_at, t_ratio_at[1:])), "grows"
assert t_ratio_at[-1] < t_ratio_bound < t_ratio_at[-1] + 1e-3, "tends to it"
assert 1 + inflate_t < t_ratio_at[0] < t_ratio_bound, (
    "N(0, 5²) outliers raise ŝ less than outliers at ±5 and the bound"
)
# per group, in the population: inliers and outliers inside the 50 % and
# the 99 % band (Exercise 2)
sigma_pop = pop["Gaussian"]
h50_pop, h99_pop = (half_width("Gaussian", sigma_pop, p) for p in (0.5, 0.99))
in50_pop, out50_pop, in99_pop, out99_pop = (
    math.erf(h / (sd * math.sqrt(2))) for h in (h50_pop, h99_pop)
    for sd in (0.5, 5.0)
)
assert abs(0.9 * in50_pop + 0.1 * out50_pop - cov_pop["Gaussian"][0]) < 1e-9, (
    "per group and in all agree at 50 %"
)
assert abs(0.9 * in99_pop + 0.1 * out99_pop - cov_pop["Gaussian"][-1]) < 1e-9, (
    "per group and in all agree at 99 %"
)
assert 1 - in99_pop < 1e-15, "the 99 % band holds every inlier"
assert abs(np.sum(mixture) * dr - 1) < 1e-9, "the grid holds the mixture"
assert abs(np.sum(mixture * r_grid**2) * dr - 2.725) < 1e-6, "E r² = 2.725"

# %% [markdown]
# This draw's three models, at each level: the exact coverage of the fitted
# band (the fitted line and scale, the true noise) and the fraction of the
# 20 000 held-out points inside it.

# %%
# --8<-- [start:coverage]
a_hat, b_slope = dirty["w"]
d0, d1 = a_hat - 1.0, b_slope - 0.5  # the fitted line's error
r_new = dirty["r_new"]
cov_exact, cov_held_out = {}, {}
for f in FAMILIES:
    h = np.array([half_width(f, dirty["scales"][f], p) for p in LEVELS])
    cov_exact[f] = true_coverage(h, d0, d1)
    cov_held_out[f] = (np.abs(r_new)[:, None] < h).mean(0)
    se = np.sqrt(cov_exact[f] * (1 - cov_exact[f]) / r_new.size)
    assert np.all(np.abs(cov_held_out[f] - cov_exact[f]) < 4 * se), (
        f"{f}: held-out coverage = exact coverage of the fitted band"
    )
worst = {f: np.max(np.abs(cov_exact[f] - LEVELS)) for f in FAMILIES}
# the Gaussian: far too much at 50 %, too little at 99 %, in the
# population and on this draw; the Student-t is much closer at every level
for cov in (cov_pop["Gaussian"], cov_exact["Gaussian"]):
    assert cov[0] > 0.6 and cov[-1] < 0.98, "Gaussian: wrong at both ends"
assert np.max(np.abs(cov_pop["Gaussian"] - LEVELS)) > 0.35, "population"
assert worst["Student-t"] < worst["Gaussian"] / 3, "the t₃ is closer"
assert all(cov_exact[f][-1] < 0.98 for f in FAMILIES), "none right at 99 %"
# with unlimited data the Laplace is far from the Student-t: its b̂ = E|r|
# is set by the outliers, and its 50 % band covers far more than 50 %
worst_pop = {f: np.max(np.abs(cov_pop[f] - LEVELS)) for f in FAMILIES}
assert worst_pop["Laplace"] > 2 * worst_pop["Student-t"], "Laplace misses"
# --8<-- [end:coverage]
worst_pop_gauss, worst_pop_laplace, worst_pop_t = worst_pop.values()
b_pop = pop["Laplace"]
cov50_pop_laplace = cov_pop["Laplace"][0]
(cov50_pop_gauss, cov80_pop_gauss, cov90_pop_gauss, cov95_pop_gauss,
 cov99_pop_gauss) = cov_pop["Gaussian"]
cov50_pop_t, cov80_pop_t, cov90_pop_t, cov95_pop_t, cov99_pop_t = cov_pop[
    "Student-t"]
cov50_gauss, cov90_gauss, cov99_gauss = cov_exact["Gaussian"][[0, 2, 4]]
cov50_t, cov90_t, cov99_t = cov_exact["Student-t"][[0, 2, 4]]
held50_gauss, held90_gauss, held99_gauss = cov_held_out["Gaussian"][[0, 2, 4]]
worst_gauss, worst_laplace, worst_t = worst.values()
print({f: np.round(cov_exact[f], 3).tolist() for f in FAMILIES},
      {f: np.round(cov_held_out[f], 3).tolist() for f in FAMILIES},
      {f: np.round(cov_pop[f], 3).tolist() for f in FAMILIES}, pop)

# %% [markdown]
# Coverage per group is no criterion. Whether a point is an outlier is not a
# function of x, so no model of p(y|x), not even the true mixture, can give
# its 90 % band 90 % coverage in each group.

# %%
# --8<-- [start:groups]
h_true = bisect(lambda h: float(true_coverage(h)), 0.9, 0.0, 50.0)
true_in = math.erf(h_true / (0.5 * math.sqrt(2)))  # covered inliers
true_out = math.erf(h_true / (5.0 * math.sqrt(2)))  # covered outliers
assert abs(0.9 * true_in + 0.1 * true_out - 0.9) < 1e-9, "a 90 % band"
assert true_in > 0.95 and true_out < 0.25, "yet far from 90 % per group"
# --8<-- [end:groups]

# %% [markdown]
# How typical is this draw? Repeat the training step on fresh training sets
# of 300 points (a least-squares line and its mean squared residual, in
# closed form), and compute each Gaussian band's exact coverage at 50 % and
# at 99 %, including the error of its line.

# %%
# --8<-- [start:typical]
R = 10_000
x_rep = rng.uniform(0, 10, (R, 300))
scale_rep = np.where(rng.random((R, 300)) < 0.1, 5.0, 0.5)
y_rep = 1 + 0.5 * x_rep + scale_rep * rng.standard_normal((R, 300))
xc = x_rep - x_rep.mean(1, keepdims=True)
yc = y_rep - y_rep.mean(1, keepdims=True)
slope = (xc * yc).sum(1) / (xc**2).sum(1)
intercept = y_rep.mean(1) - slope * x_rep.mean(1)
sigma_rep = np.sqrt(((yc - slope[:, None] * xc) ** 2).mean(1))
z50, z99 = half_width("Gaussian", 1, 0.5), half_width("Gaussian", 1, 0.99)
cov50_rep = true_coverage(z50 * sigma_rep, intercept - 1, slope - 0.5)
cov99_rep = true_coverage(z99 * sigma_rep, intercept - 1, slope - 0.5)
# on every one of the R training sets: too wide at 50 %, too narrow at 99 %
assert np.all(cov50_rep > 0.5) and np.all(cov99_rep < 0.99), (
    "the Gaussian band is miscalibrated on every training set"
)
# --8<-- [end:typical]
q05, median, q95 = np.quantile(sigma_rep, [0.05, 0.5, 0.95])
# Monte Carlo standard error of the median: √(¼/R) / density at the median,
# the density from the spread of the 48 % and 52 % points
q48, q52 = np.quantile(sigma_rep, [0.48, 0.52])
median_se = math.sqrt(0.25 / R) * (q52 - q48) / 0.04
cov50_min, cov99_max = cov50_rep.min(), cov99_rep.max()
sigma_min, sigma_max = sigma_rep.min(), sigma_rep.max()
sigma_rank = np.mean(sigma_rep < sigma_hat)  # where this draw's σ̂ falls
# the σ̂ at which a band around the true line would be calibrated
sigma_cal50, sigma_cal99 = (
    bisect(lambda v: float(true_coverage(z * v)), p, 0.0, 50.0)
    for z, p in ((z50, 0.5), (z99, 0.99))
)
# every fitted σ̂ lies between the two, so no mixture of these Gaussian bands
# (a mixture's quantile lies between its components') is calibrated at both
assert sigma_cal50 < sigma_min and sigma_max < sigma_cal99, "σ̂ range"
# what the figure shows: training points outside the Gaussian's 90 % band,
# and the extremes of the training and held-out residuals
r_train = dirty["y"] - dirty["f_theta"](dirty["x"])
n_outside_gauss = int(np.sum(np.abs(r_train) > half_gauss))
r_train_below, r_train_max = -r_train.min(), r_train.max()
r_new_min, r_new_max = r_new.min(), r_new.max()
# the parameter uncertainty the plug-in bands leave out (Bishop eq. 3.59
# with a flat prior): Var f_θ(x) / σ̂² = 1/n + (x - x̄)² / Σ(x_i - x̄)²
x_train = dirty["x"]
param_share = max(
    1 / x_train.size + (x0 - x_train.mean()) ** 2
    / np.sum((x_train - x_train.mean()) ** 2) for x0 in (0.0, 10.0)
)
print(f"σ̂ over {R} draws: median {median:.3f}, 5-95 % {q05:.3f}-{q95:.3f},"
      f" min {sigma_min:.3f}, max {sigma_max:.3f}; this draw's σ̂"
      f" {sigma_hat:.3f} is above {sigma_rank:.1%} of them; coverage at 50 %"
      f" at least {cov50_min:.3f}, at 99 % at most {cov99_max:.3f}")

# %%
fig, axes = plt.subplot_mosaic(
    [["Gaussian", "Laplace", "Student-t"], ["res", "res", "cal"]],
    figsize=(9, 6.4),
    height_ratios=[1.1, 1],
    num="three-things-noise-bands",
    layout="constrained",
)
xs = np.linspace(0, 10, 201)
x, y, f_theta = dirty["x"], dirty["y"], dirty["f_theta"]
for fam in FAMILIES:
    ax = axes[fam]
    mean_nll = dirty["per_point"][fam].mean()
    h90 = half_width(fam, dirty["scales"][fam], 0.9)
    ax.fill_between(xs, f_theta(xs) - h90, f_theta(xs) + h90,
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
edge = math.ceil(np.abs(r_new).max())  # every held-out residual is shown
rs = np.linspace(-edge, edge, 40 * edge + 1)
ax.hist(r_new, bins=np.linspace(-edge, edge, 8 * edge + 1), density=True,
        color="C7", alpha=0.5, label="held-out residuals $r = y - \\hat y$")
for fam in FAMILIES:
    density = np.exp(-nll(fam, rs, dirty["scales"][fam]))
    ax.plot(rs, density, color=COLORS[fam], label=fam)
ax.set_yscale("log")
ax.set_ylim(1e-4, 2)
ax.set(xlabel="residual $r$", ylabel="density (log scale)")
ax.legend(fontsize=8, loc="upper right")

ax = axes["cal"]
grid_levels = np.linspace(0.01, 0.995, 60)
ax.plot([0, 1], [0, 1], "k--", lw=1, label="calibrated")
for fam in FAMILIES:
    h = [half_width(fam, dirty["scales"][fam], p) for p in grid_levels]
    ax.plot(grid_levels, true_coverage(h, d0, d1), color=COLORS[fam])
    ax.plot(LEVELS, cov_held_out[fam], "o", color=COLORS[fam], ms=4)
ax.plot([], [], "o", color="C7", ms=4, label="held out")
ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="nominal level $p$",
       ylabel="coverage", title="central bands at every level")
ax.legend(fontsize=8, loc="lower right")
plt.show()
