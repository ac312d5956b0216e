"""Choosing Barron's α by the loss ρ alone always picks the smallest α; the full NLL, with log Z(α), picks α ≈ 2 on Gaussian data and α ≈ 0 on Cauchy data, within [0, 2].

Chapter "Noise models side by side" (Barron, CVPR 2019). The NLL of Barron's
density is ρ(r, α, c) + log c + log Z(α), with Z(α) = ∫ exp(−ρ(r, α, 1)) dr
computed by numerical integration. α is chosen on a grid in [0, 2], as in
Barron's adaptive loss; the grid is continued to 3 to see what its edge does.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch


def rho(r, alpha, c=1.0):
    """Barron's ρ(r, α, c), with its limits at α = 0 and α = 2."""
    z = (r / c) ** 2
    a = torch.as_tensor(alpha, dtype=torch.float64)
    a_safe = torch.where((a == 0) | (a == 2), 0.5, a)
    b = (a_safe - 2).abs()
    general = b / a_safe * torch.expm1(a_safe / 2 * torch.log1p(z / b))
    return torch.where(
        a == 0, torch.log1p(z / 2), torch.where(a == 2, z / 2, general)
    )


alphas = torch.arange(0, 151, dtype=torch.float64)[:, None] / 50  # 0 … 3
inside = alphas[:, 0] <= 2  # the grid searched: [0, 2]
TWO = 100  # the row of α = 2

# %% [markdown]
# Z(α) by the trapezoid rule after substituting r = sinh v, which turns the
# Cauchy-like tails at α = 0 into exponentially decaying ones. Three values
# are known in closed form: Z(0) = √2·π, Z(1) = 2e·K₁(1), Z(2) = √(2π).

# %%
# --8<-- [start:partition]
v = torch.linspace(-40, 40, 2001, dtype=torch.float64)
integrand = torch.exp(-rho(torch.sinh(v), alphas)) * torch.cosh(v)
log_Z = torch.trapezoid(integrand, v, dim=1).log()  # one per α

k1 = torch.special.modified_bessel_k1(torch.tensor(1.0, dtype=torch.float64))
known = {  # row of the α grid: closed form of Z(α)
    0: math.sqrt(2) * math.pi,  # α = 0: Cauchy with scale √2
    50: 2 * math.e * k1.item(),  # α = 1: ∫ exp(1 − √(x² + 1)) dx
    100: math.sqrt(2 * math.pi),  # α = 2: Gaussian
}
for row, exact in known.items():
    assert math.isclose(log_Z[row].exp(), exact, rel_tol=1e-10), "Z(α)"
assert (log_Z.diff() < 0).all(), "heavier tails (smaller α) mean larger Z"
# --8<-- [end:partition]

# %%
SEED = 0
torch.manual_seed(SEED)
n = 3000
data = {
    "Gaussian": torch.randn(n, dtype=torch.float64),
    "Cauchy": torch.distributions.Cauchy(0.0, 1.0).sample((n,)).double(),
}

# %% [markdown]
# By ρ alone: whatever the data and whatever the scale c, the mean loss is
# smallest at the smallest α on the grid, because ρ increases with α.

# %%
# --8<-- [start:rho-only]
scales = torch.logspace(-1, 1, 21, dtype=torch.float64)
for name, y in data.items():
    for c in scales:
        mean_rho = rho(y, alphas, c).mean(1)
        assert mean_rho.argmin() == 0, f"{name}: ρ alone picks α = 0"
    by_c = torch.stack([rho(y, 1.0, c).mean() for c in scales])
    assert (by_c.diff() < 0).all(), "ρ alone also sends c → ∞"
# --8<-- [end:rho-only]


# %% [markdown]
# With the normaliser: for each α, the best c solves the score equation
# mean(u² w(u)) = 1 with u = y/c and w(u) = (u²/|α−2| + 1)^(α/2 − 1); iterating
# c² ← mean(y² w(y/c)) is an MM algorithm that converges to it.


# %%
# --8<-- [start:nll]
def weight(u, alpha):
    """ψ(u)/u for ρ(u, α, 1): (u²/|α−2| + 1)^(α/2 − 1), and 1 at α = 2."""
    b = torch.where(alpha == 2, 1.0, (alpha - 2).abs())
    w = torch.exp((alpha / 2 - 1) * torch.log1p(u**2 / b))
    return torch.where(alpha == 2, 1.0, w)


def profile_nll(y):
    """min over c of the mean NLL ρ(y, α, c) + log c + log Z(α), per α."""
    c2 = torch.full_like(alphas, y.pow(2).median().item())
    for _ in range(500):
        new = (y**2 * weight(y / c2.sqrt(), alphas)).mean(1, keepdim=True)
        done = ((new - c2).abs() / c2).max() < 1e-13
        c2 = new
        if done:
            break
    log_c = c2.sqrt().log().requires_grad_()
    mean_nll = rho(y, alphas, log_c.exp()).mean(1) + log_c[:, 0] + log_Z
    (slope,) = torch.autograd.grad(mean_nll.sum(), log_c)
    assert slope.abs().max() < 1e-10, "c minimises the NLL, for every α"
    return mean_nll.detach(), log_c.detach().exp()[:, 0]


best = {}
for name, y in data.items():
    mean_nll, c = profile_nll(y)
    i = torch.where(inside, mean_nll, math.inf).argmin()  # α in [0, 2]
    best[name] = (alphas[i].item(), c[i].item(), mean_nll, c)


def alpha_se(curve, at_row, h_rows=5):
    """Standard error of α̂ from the curvature of the profile NLL at a row:
    1/√(n · d²(mean NLL)/dα²), by a second difference over h = 0.1."""
    h = h_rows / 50
    lo, hi = max(at_row - h_rows, 0), at_row + h_rows
    mid = (lo + hi) // 2
    curvature = (curve[hi] - 2 * curve[mid] + curve[lo]) / h**2
    assert curvature > 0, "the profile NLL curves upward: α is identified"
    return 1 / math.sqrt(n * curvature.item())


log_Z_0, log_Z_2, log_Z_3 = log_Z[0].item(), log_Z[TWO].item(), log_Z[-1].item()
se_gauss = alpha_se(best["Gaussian"][2], TWO)  # around α = 2
se_cauchy = alpha_se(best["Cauchy"][2], 0)  # just above α = 0
alpha_gauss, alpha_cauchy = best["Gaussian"][0], best["Cauchy"][0]
assert alpha_gauss >= 2 - 4 * se_gauss, "Gaussian data: α̂ within 4 s.e. of 2"
assert alpha_cauchy <= 4 * se_cauchy, "Cauchy data: α̂ within 4 s.e. of 0"
# --8<-- [end:nll]

# %% [markdown]
# How flat the Gaussian-data NLL is near α = 2 (in nats per point above its
# minimum on [0, 2]), and what the edge of the grid does: the density exists
# for every α ≥ 0, and on [0, 3] the minimiser can lie on either side of 2.

# %%
excess = {name: b[2] - b[2][inside].min() for name, b in best.items()}
alpha_gauss_wide = alphas[best["Gaussian"][2].argmin()].item()  # on [0, 3]
excess_at_2 = excess["Gaussian"][TWO].item()
excess_at_3 = excess["Gaussian"][-1].item()
excess_at_0 = excess["Gaussian"][0].item()
excess_cauchy_at_2 = excess["Cauchy"][TWO].item()
assert excess_at_0 > 10 * max(excess_at_2, excess_at_3), (
    "Gaussian data: α = 0 costs far more than α = 2 or 3"
)
assert excess_cauchy_at_2 > 1, "Cauchy data: α = 2 costs over a nat per point"

# %% [markdown]
# The scales come out right too: at α = 2 the density is N(0, c²), so c² is
# the mean square; at α = 0 it is a Cauchy with scale √2·c, so on Cauchy(0, 1)
# data c ≈ 1/√2, with the Cauchy scale MLE's standard error c·√(2/n).

# %%
c_gauss, c_cauchy = best["Gaussian"][3], best["Cauchy"][3]
assert math.isclose(c_gauss[TWO], data["Gaussian"].pow(2).mean().sqrt()), (
    "α = 2: c² is the mean square"
)
se_c = math.sqrt(2 / n) / math.sqrt(2)
c_cauchy_0 = c_cauchy[0].item()
assert abs(c_cauchy_0 - 1 / math.sqrt(2)) < 5 * se_c, "Cauchy(0,1) ⇒ c ≈ 1/√2"
for name, (a, c, curve, _) in best.items():
    print(
        f"{name} data: α̂ = {a:.2f}, ĉ = {c:.3f}; mean NLL at α=0 "
        f"{curve[0]:.4f}, at α=2 {curve[TWO]:.4f}, at α=3 {curve[-1]:.4f}"
    )
print(f"s.e. of α̂: {se_gauss:.3f} (Gaussian, at 2), {se_cauchy:.3f} (Cauchy, at 0)")

# %%
fig, axes = plt.subplots(
    2, 2, figsize=(8.5, 6.6), num="noise-barron-alpha", layout="constrained"
)
(ax_r, ax_z), (ax_o, ax_n) = axes
xs = torch.linspace(-6, 6, 601, dtype=torch.float64)
cmap = plt.get_cmap("viridis")
for a in (0.0, 0.5, 1.0, 1.5, 2.0):
    ax_r.plot(xs, rho(xs, a), color=cmap(a / 2.2), label=f"$\\alpha$ = {a:g}")
ax_r.set(
    xlabel="residual $r$",
    ylabel="$\\rho(r, \\alpha, 1)$",
    title="Barron's loss",
    ylim=(0, 6),
)
ax_r.legend(fontsize=7, loc="upper center")
ax_z.plot(alphas[:, 0], log_Z, color="k")
ax_z.plot([0, 2], [log_Z[0], log_Z[TWO]], "o", color="k", ms=4)
ax_z.annotate(
    "$\\log(\\sqrt{2}\\,\\pi)$", (0, log_Z[0]), (0.15, 1.44), fontsize=8
)
ax_z.annotate(
    "$\\log\\sqrt{2\\pi}$", (2, log_Z[TWO]), (2.05, 0.97), fontsize=8
)
ax_z.set(
    xlabel="$\\alpha$",
    ylabel="$\\log Z(\\alpha)$",
    title="The normaliser penalises small $\\alpha$",
)
for name, color in (("Gaussian", "C0"), ("Cauchy", "C4")):
    y = data[name]
    mean_rho = rho(y, alphas, best[name][1]).mean(1)
    if name == "Cauchy":  # decades spanned over α ∈ [0, 3], for the alt text
        cauchy_decades = (mean_rho[-1] / mean_rho[0]).log10().item()
    ax_o.plot(alphas[:, 0], mean_rho, color=color, label=f"{name} data")
    ax_o.plot(0, mean_rho[0], "o", color=color, ms=5)
    curve = excess[name]
    ax_n.plot(alphas[inside, 0], curve[inside], color=color, label=name)
    ax_n.plot(alphas[TWO:, 0], curve[TWO:], color=color, ls=":")
    ax_n.plot(best[name][0], 0, "o", color=color, ms=5, clip_on=False)
    ax_n.annotate(
        f"$\\hat\\alpha$ = {best[name][0]:.2f}",
        (best[name][0], 0),
        (1.69, 0.03) if name == "Gaussian" else (0.42, 0.012),
        fontsize=8,
        color=color,
    )
ax_o.set(
    xlabel="$\\alpha$",
    ylabel="mean $\\rho$ at the fitted $c$",
    title="Choosing $\\alpha$ by $\\rho$ alone",
    yscale="log",
)
ax_o.legend(fontsize=8)
ax_n.axvspan(2, 3, color="0.92", lw=0)
ax_n.text(
    2.5, 0.27, "beyond the\ngrid [0, 2]", ha="center", va="top", fontsize=8
)
ax_n.set(
    xlabel="$\\alpha$",
    ylabel="mean NLL − its minimum on [0, 2]",
    title="Choosing $\\alpha$ by the NLL",
    xlim=(0, 3),
    ylim=(0, 0.3),
)
ax_n.legend(fontsize=8, loc="upper center")
plt.show()
