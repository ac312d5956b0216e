"""A Gaussian likelihood is a density over y, not over θ: alone it gives MLE.

Chapter "MLE vs MAP". For y_i = θ + ε_i with ε_i ~ N(0, σ²), the likelihood
integrates to 1 over y but not over θ, its maximiser is the sample mean for
every σ the model assumes, and only a prior p(θ), a density over θ, turns
the estimate into MAP.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
N, theta_true, tau = 5, 1.5, 0.5  # tau: the prior's standard deviation
y = theta_true + rng.normal(size=N)  # five observations, fixed from here on
ybar, S = y.mean(), ((y - y.mean()) ** 2).sum()


def gauss(z, mean, sd):
    return np.exp(-((z - mean) ** 2) / (2 * sd**2)) / math.sqrt(
        2 * math.pi * sd**2
    )


grid = np.linspace(-20.0, 20.0, 200001)  # for y and for θ alike
step = grid[1] - grid[0]

# %%
# --8<-- [start:two-variables]
areas, maps = {}, {}  # per σ, for the page
for sigma in (0.5, 1.0, 2.0):  # the noise model's σ, a modelling choice
    # as a density over one observation y, with θ fixed: area 1
    area_y = gauss(grid, ybar, sigma).sum() * step
    assert abs(area_y - 1) < 1e-9, "p(y | θ) integrates to 1 over y"
    # as a function of θ, with the data fixed: the likelihood L(θ)
    L = np.prod(gauss(y[:, None], grid[None, :], sigma), axis=0)
    area_theta = L.sum() * step
    closed = (
        (2 * math.pi * sigma**2) ** (-(N - 1) / 2)
        / math.sqrt(N)
        * math.exp(-S / (2 * sigma**2))
    )
    assert abs(area_theta - closed) < 1e-9 * closed, "∫ L(θ) dθ, closed form"
    assert abs(area_theta - 1) > 0.5, "L(θ) is not a density over θ"
    # MLE: the maximiser of L is the sample mean, whatever σ is
    assert abs(grid[L.argmax()] - ybar) <= step, "MLE = ȳ for every σ"
    # MAP: a prior N(0, τ²) on θ moves it, and by an amount that depends on σ
    post = L * gauss(grid, 0.0, tau)
    theta_map = y.sum() / (N + sigma**2 / tau**2)
    assert abs(grid[post.argmax()] - theta_map) <= step, "MAP closed form"
    # it shrinks ȳ by the factor N/(N + σ²/τ²), at most 5/6 here: MAP ≠ MLE
    assert abs(theta_map - ybar) > 0.1 * abs(ybar), "MAP ≠ MLE"
    areas[sigma], maps[sigma] = area_theta, theta_map
    print(f"σ={sigma}: ∫L dθ = {area_theta:.3g}, MLE = {ybar:.3f}, "
          f"MAP = {theta_map:.3f}")
# --8<-- [end:two-variables]
# the values the page quotes, for this build's five points
area_05, area_1, area_2 = areas[0.5], areas[1.0], areas[2.0]
map_05, map_1, map_2 = maps[0.5], maps[1.0], maps[2.0]

# %%
sigma = 1.0
L = np.prod(gauss(y[:, None], grid[None, :], sigma), axis=0)
prior = gauss(grid, 0.0, tau)
post = L * prior / ((L * prior).sum() * step)
theta_map = y.sum() / (N + sigma**2 / tau**2)

fig, (ax0, ax1) = plt.subplots(
    1, 2, figsize=(8, 3.2), num="map-likelihood-vs-prior", layout="constrained"
)
yy = np.linspace(-2.5, 5, 600)
ax0.fill_between(yy, gauss(yy, ybar, sigma), color="C0", alpha=0.25)
ax0.plot(yy, gauss(yy, ybar, sigma), color="C0",
         label=r"$p(y\mid\theta=\bar y)$, area 1")
ax0.plot(y, np.zeros_like(y), "|", color="C7", ms=14, mew=2, label="data")
ax0.set_xlabel("$y$ (the target)")
ax0.set_ylabel("density over $y$")
ax0.set_title(r"noise model $p(y\mid\theta)$, a density over $y$")
ax0.legend(loc="upper left", fontsize=8)

tt = np.flatnonzero((grid > -1.5) & (grid < 3.5))[::50]  # fewer to draw
area = L.sum() * step
ax1.plot(grid[tt], L[tt], color="C0",
         label=rf"$L(\theta)=p(y_{{1:5}}\mid\theta)$, area {area:.4f}")
ax1.plot(grid[tt], prior[tt] * L.max() / prior.max(), color="C0", ls="--",
         label=r"prior $p(\theta)$ (rescaled)")
ax1.plot(grid[tt], post[tt] * L.max() / post.max(), color="k",
         label="posterior (rescaled)")
ax1.axvline(ybar, color="C0", lw=0.8, ls=":")
ax1.axvline(theta_map, color="k", lw=0.8, ls=":")
ax1.text(ybar, 1.05 * L.max(), "MLE", ha="center", fontsize=8)
ax1.text(theta_map, 1.05 * L.max(), "MAP", ha="center", fontsize=8)
ax1.set_xlabel(r"$\theta$ (the parameter)")
ax1.set_ylabel(r"value (not a density over $\theta$)")
ax1.set_title(r"likelihood, read as a function of $\theta$")
ax1.legend(loc="upper left", fontsize=7)
ax1.set_ylim(0, 1.6 * L.max())
plt.show()
