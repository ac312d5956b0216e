"""Same data, three losses: the conditional mean, median and 0.9-quantile.

Chapter "Noise model vs data distribution". The noise is skewed and its
spread grows with x, so it is neither Gaussian, Laplace nor asymmetric
Laplace. Each loss is the NLL of a wrong noise model, yet each fitted line
lands on the functional its loss targets (quasi-maximum likelihood).
"""

# %%
import math

import matplotlib.pyplot as plt
import torch

SEED = 0
torch.manual_seed(SEED)
n = 2000
x = torch.rand(n, dtype=torch.float64)
s = 0.25 + x  # the spread grows with x
e = torch.distributions.Exponential(torch.tensor(1.0, dtype=torch.float64))
# skewed noise with mean 0: y | x = 1 + 2x + s(x) (E - 1), E ~ Exp(1)
y = 1 + 2 * x + s * (e.sample((n,)) - 1)

# %% [markdown]
# The τ-quantile of Exp(1) is −log(1 − τ), so every conditional functional
# of y given x is a straight line, and the true lines are known exactly.

# %%
# --8<-- [start:truth]
tau = 0.9


def truth(x, which):
    offset = {
        "mean": 0.0,  # E[E - 1] = 0
        "median": math.log(2) - 1,
        "q0.9": -math.log(1 - tau) - 1,
    }[which]
    return 1 + 2 * x + (0.25 + x) * offset


# --8<-- [end:truth]
# the median lies (1 - log 2) s(x) = 0.31 s(x) below the mean
assert abs((1 - math.log(2)) - 0.31) < 5e-3, "the page's 0.31"

# %%
# --8<-- [start:fit]
def pinball(u, tau):
    return u * (tau - (u < 0).double())


losses = {  # loss, the functional it targets, its colour
    "MSE": (lambda r: (r**2).mean(), "mean", "C0"),
    "MAE": (lambda r: r.abs().mean(), "median", "C1"),
    "pinball": (lambda r: pinball(r, tau).mean(), "q0.9", "C8"),
}
# f_theta(x) = a + b (x - 1/2): centring x makes the problem well
# conditioned for a first-order optimiser
X = torch.stack([torch.ones_like(x), x - 0.5], 1)
theta = {}
for name, (loss_fn, _, _) in losses.items():
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    decay = torch.optim.lr_scheduler.ExponentialLR(opt, (1e-4) ** (1 / 1500))
    for _ in range(1500):
        opt.zero_grad()
        loss_fn(y - X @ w).backward()
        opt.step()
        decay.step()
    theta[name] = w.detach()
# --8<-- [end:fit]

# %% [markdown]
# How far may a fitted line sit from the truth? By the asymptotics of
# M-estimators, the sandwich H⁻¹ J H⁻¹. For least squares with
# Var(y|x) = s(x)²: H = Σ zzᵀ, J = Σ s² zzᵀ. For the τ-quantile (Koenker,
# 2005): H = Σ f(q_τ|x) zzᵀ, J = τ(1 − τ) Σ zzᵀ, where the density of y|x at
# its τ-quantile is f = (1 − τ)/s(x) for this noise. We allow 4 standard
# errors.


# %%
# --8<-- [start:tolerance]
def std_error(name, x0):
    zz = X[:, :, None] * X[:, None, :]  # z_i z_i^T, one per point
    if name == "MSE":
        H, J = zz.sum(0), (s[:, None, None] ** 2 * zz).sum(0)
    else:
        t = 0.5 if name == "MAE" else tau
        dens = (1 - t) / s  # density of y|x at its t-quantile
        H, J = (dens[:, None, None] * zz).sum(0), t * (1 - t) * zz.sum(0)
    cov = torch.linalg.solve(H, torch.linalg.solve(H, J).T)
    z0 = torch.tensor([1.0, x0 - 0.5], dtype=torch.float64)
    return math.sqrt(z0 @ cov @ z0)


def line(name, x0):
    return float(theta[name] @ torch.tensor([1.0, x0 - 0.5]).double())


# --8<-- [end:tolerance]

# %%
# --8<-- [start:claims]
for name, (_, target, _) in losses.items():
    for x0 in (0.0, 1.0):  # two points pin down a line
        se = std_error(name, x0)
        assert abs(line(name, x0) - truth(x0, target)) < 4 * se, (
            f"{name} fits the conditional {target}"
        )
        for other in ("mean", "median", "q0.9"):
            if x0 == 1.0 and other != target:  # where the spread is largest
                assert abs(line(name, x0) - truth(x0, other)) > 4 * se, (
                    f"{name} does not fit the conditional {other}"
                )
# --8<-- [end:claims]
# the table on the page: fit, truth and standard error at x = 0 and x = 1
fit_mean_0, fit_mean_1 = line("MSE", 0.0), line("MSE", 1.0)
fit_median_0, fit_median_1 = line("MAE", 0.0), line("MAE", 1.0)
fit_q90_0, fit_q90_1 = line("pinball", 0.0), line("pinball", 1.0)
true_mean_0, true_mean_1 = truth(0.0, "mean"), truth(1.0, "mean")
true_median_0, true_median_1 = truth(0.0, "median"), truth(1.0, "median")
true_q90_0, true_q90_1 = truth(0.0, "q0.9"), truth(1.0, "q0.9")
se_mean_0, se_mean_1 = std_error("MSE", 0.0), std_error("MSE", 1.0)
se_median_0, se_median_1 = std_error("MAE", 0.0), std_error("MAE", 1.0)
se_q90_0, se_q90_1 = std_error("pinball", 0.0), std_error("pinball", 1.0)
# the three fits in the middle of the last bin, shown in the right panel
slice_median, slice_mean, slice_q90 = (
    line(name, 15 / 16) for name in ("MAE", "MSE", "pinball")
)
for name, (_, target, _) in losses.items():
    print(
        f"{name:8s} at x=0: {line(name, 0.0):.3f} (true {target}"
        f" {truth(0.0, target):.3f}, se {std_error(name, 0.0):.3f});"
        f" at x=1: {line(name, 1.0):.3f} ({truth(1.0, target):.3f},"
        f" se {std_error(name, 1.0):.3f})"
    )

# %%
fig, axes = plt.subplots(
    1, 2, figsize=(8, 3.4), gridspec_kw={"width_ratios": [1.6, 1]},
    num="nvd-three-losses", layout="constrained",
)
ax = axes[0]
ax.plot(x, y, "o", color="C7", ms=2, alpha=0.35, label="data")
xs = torch.linspace(0, 1, 2, dtype=torch.float64)
n_bins = 8
bin_of = torch.clamp((x * n_bins).long(), max=n_bins - 1)
centres = (torch.arange(n_bins) + 0.5) / n_bins
markers = {"MSE": "o", "MAE": "s", "pinball": "^"}
for name, (_, target, colour) in losses.items():
    ax.plot(xs, [line(name, v) for v in xs.tolist()], color=colour,
            label=f"{name} fit: {target}")
    ax.plot(xs, truth(xs, target), ls="--", lw=1, color=colour)
    stat = [  # the per-bin sample statistic, as in binned_minimisers.py
        y[bin_of == k].mean() if target == "mean"
        else torch.quantile(y[bin_of == k], 0.5 if target == "median"
                            else tau)
        for k in range(n_bins)
    ]
    ax.plot(centres, stat, markers[name], color=colour, mec="k", mew=0.5,
            ms=5)
ax.plot([], [], "k--", lw=1, label="true functional")
ax.plot([], [], "o", color="w", mec="k", mew=0.5, label="per-bin sample")
# every point is shown, however far up the skew reaches
ax.set(xlabel="$x$", ylabel="$y$", ylim=(-0.2, float(y.max()) + 0.5),
       title="same data, three losses")
ax.legend(fontsize=7.5, loc="upper left", ncol=2)

ax = axes[1]
sel = x > 7 / 8  # the last bin: where the skew is easiest to see
n_slice, y_max = int(sel.sum()), float(y.max())
ax.hist(y[sel], bins=30, density=True, color="C7", alpha=0.5,
        label="$y$, $x > 7/8$")
x_mid = 15 / 16
y_top = float(y[sel].max()) + 0.5  # the whole slice is shown
ys = torch.linspace(0.5, y_top, 400, dtype=torch.float64)
lo = 1 + 2 * x_mid - (0.25 + x_mid)
pdf = torch.where(ys > lo, torch.exp(-(ys - lo) / (0.25 + x_mid)), 0.0)
ax.plot(ys, pdf / (0.25 + x_mid), color="k", lw=1,
        label="$p_{\\mathrm{data}}(y \\mid 15/16)$")
for name, (_, target, colour) in losses.items():
    ax.axvline(line(name, x_mid), color=colour, label=target)
ax.set(xlabel="$y$", ylabel="density", xlim=(0.5, y_top),
       title="one slice of $x$")
ax.legend(fontsize=7.5, loc="upper right")
plt.show()
