"""The MSE-optimal noise predictor of a diffusion model is E[ε | y_t] = −√(1−ᾱ) ∇log p_t(y_t), and least squares finds it.

Chapter "When a loss is not a likelihood", diffusion (Ho et al., 2020). The
clean y₀ is bimodal, y_t = √ᾱ y₀ + √(1−ᾱ) ε. A small regressor fitted to ε by
plain least squares matches the closed form from Tweedie's formula; the
linear predictor, which would be optimal if the data were Gaussian, does not.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch.distributions import Categorical, MixtureSameFamily, Normal

SEED = 0
torch.manual_seed(SEED)
mix = Categorical(probs=torch.tensor([0.5, 0.5], dtype=torch.float64))
means = torch.tensor([-2.0, 2.0], dtype=torch.float64)
stds = torch.tensor([0.5, 0.5], dtype=torch.float64)


def p_t(abar):
    """Density of y_t: each component is scaled by √ᾱ and widened."""
    return MixtureSameFamily(
        mix, Normal(math.sqrt(abar) * means,
                    (abar * stds**2 + 1 - abar).sqrt()))


def eps_closed_form(abar, y):
    y = y.clone().requires_grad_(True)
    score = torch.autograd.grad(p_t(abar).log_prob(y).sum(), y)[0]
    return -math.sqrt(1 - abar) * score  # Tweedie, rescaled


def features(y, centres, width):
    bumps = torch.exp(-((y[:, None] - centres) ** 2) / (2 * width**2))
    return torch.cat([torch.ones_like(y)[:, None], y[:, None], bumps], 1)


# %%
# --8<-- [start:eps]
n = 100_000
y0 = MixtureSameFamily(mix, Normal(means, stds)).sample((n,))
fits, rms = {}, {}
for abar in (0.9, 0.5, 0.1):
    eps = torch.randn(n, dtype=torch.float64)
    y_t = math.sqrt(abar) * y0 + math.sqrt(1 - abar) * eps
    # the regressor: 30 Gaussian bumps + an affine term, fitted by MSE
    lo, hi = torch.quantile(y_t[:50_000], torch.tensor(
        [0.001, 0.999], dtype=torch.float64)).tolist()
    centres = torch.linspace(lo, hi, 30, dtype=torch.float64)
    width = float(centres[1] - centres[0])
    w = torch.linalg.lstsq(features(y_t, centres, width),
                           eps[:, None], driver="gelsd").solution

    grid = torch.linspace(lo, hi, 601, dtype=torch.float64)  # no extrapolation
    dens = p_t(abar).log_prob(grid).exp()
    dens = dens / dens.sum()  # weights for an RMS under p_t
    truth = eps_closed_form(abar, grid)
    fitted = (features(grid, centres, width) @ w).squeeze(1)
    linear = math.sqrt(1 - abar) / float(y_t.var()) * grid  # Gaussian case
    rms_fit = float(((fitted - truth) ** 2 * dens).sum().sqrt())
    rms_lin = float(((linear - truth) ** 2 * dens).sum().sqrt())
    fits[abar] = (grid, truth, fitted, linear, y_t, eps)
    rms[abar] = rms_fit, rms_lin
    print(f"ᾱ={abar}: RMS error, fitted {rms_fit:.4f}, linear {rms_lin:.4f}")
    # 32 coefficients from 1e5 samples, and E[Var(ε | y_t)] ≤ Var(ε) = 1:
    # the RMS estimation error is roughly √(32/1e5) ≈ 0.018 or less.
    assert rms_fit < 0.03, "the MSE fit recovers E[ε | y_t] (Tweedie)"
    if abar >= 0.5:
        assert rms_lin > 5 * rms_fit and rms_lin > 0.4, (
            "E[ε | y_t] is far from linear when the data are bimodal"
        )
rms_fit_max = max(fit for fit, _ in rms.values())
rms_lin_09, rms_lin_05 = rms[0.9][1], rms[0.5][1]
# --8<-- [end:eps]

# %% [markdown]
# The shape of the curves in the figure, for its description: at ᾱ = 0.9
# and 0.5, E[ε | y_t] has one local maximum (at some y_t < 0) and one
# mirror-image local minimum inside the plotted range, joined by a steep
# backwards S through 0, with rising tails out to the ends of the range.

# %%
extremes = {}
for abar in (0.9, 0.5):
    grid = fits[abar][0]
    fine = torch.linspace(float(grid[0]), float(grid[-1]), 20001,
                          dtype=torch.float64)
    curve = eps_closed_form(abar, fine)
    slope = curve.diff()
    i_max = (slope[:-1] > 0) & (slope[1:] <= 0)
    i_min = (slope[:-1] < 0) & (slope[1:] >= 0)
    assert i_max.sum() == 1 and i_min.sum() == 1, "one S between two tails"
    i_max, i_min = int(i_max.nonzero()) + 1, int(i_min.nonzero()) + 1
    h = float(fine[1] - fine[0])
    assert fine[i_max] < 0 < fine[i_min] and abs(
        fine[i_max] + fine[i_min]) < 2 * h and math.isclose(
        curve[i_max], -curve[i_min], rel_tol=1e-5), "the S is odd about 0"
    extremes[abar] = (float(curve[i_max]), float(-fine[i_max]),
                      float(curve[0]), float(curve[-1]))
peak_09, peak_09_at, left_end_09, right_end_09 = extremes[0.9]
peak_05, peak_05_at, _, _ = extremes[0.5]
assert left_end_09 < 0 < right_end_09, "the tails rise from below 0 to above"
left_end_09_size = -left_end_09  # quoted as "minus …"
print(f"ᾱ=0.9: S from {peak_09:.3f} at y_t={-peak_09_at:.3f} to "
      f"{-peak_09:.3f} at {peak_09_at:.3f}; ends {left_end_09:.2f}, "
      f"{right_end_09:.2f}; ᾱ=0.5: peak {peak_05:.3f} at {-peak_05_at:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(9, 3.1), sharey=True,
                         num="nal-diffusion-eps", layout="constrained")
for ax, (abar, (grid, truth, fitted, linear, y_t, eps)) in zip(
        axes, fits.items()):
    ax.scatter(y_t[:2000], eps[:2000], s=2, color="C7", alpha=0.3,
               label="samples $(y_t, \\varepsilon)$")
    ax.plot(grid, truth, color="k", lw=2.5,
            label="$-\\sqrt{1-\\bar\\alpha}\\,\\nabla\\log p_t$")
    ax.plot(grid, fitted, color="C0", ls="--", label="least-squares fit")
    ax.plot(grid, linear, color="k", ls=":", label="best linear")
    ax.set(title=f"$\\bar\\alpha = {abar}$", xlabel="$y_t$",
           ylim=(-3.2, 3.2))
axes[0].set_ylabel("$\\varepsilon$ and $E[\\varepsilon\\mid y_t]$")
axes[2].legend(fontsize=7, loc="upper left", markerscale=3)
plt.show()
