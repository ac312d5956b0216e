"""A Gaussian noise model on pixels is a choice, not a description of pixels.

Chapter "Three things that get conflated", the autoencoder example. Pixels live
in [0, 1], yet a Gaussian around a bright pixel puts almost a third of its mass
above 1. And when the data admit several images, the reconstruction that
minimises MSE (the Gaussian NLL) is their average, which is none of them.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)

# %%
# --8<-- [start:leak]
y_hat, sigma = 0.95, 0.1  # decoder output and Gaussian noise scale


def gaussian_cdf(v):
    return 0.5 * (1 + math.erf((v - y_hat) / (sigma * math.sqrt(2))))


outside = gaussian_cdf(0.0) + (1 - gaussian_cdf(1.0))
assert abs(outside - 0.5 * math.erfc(0.5 / math.sqrt(2))) < 1e-9, (
    "mass outside [0, 1] is 1 - Φ(0.5), to 1e-9"
)
assert abs(outside - 0.3085) < 1e-4, "about 31 % of the model's mass"
# almost all of it lies above 1: below 0 is Φ(-9.5), computed with erfc
# because 1 + erf(-6.7) rounds to 0 in floating point
below_0 = 0.5 * math.erfc((y_hat - 0.0) / (sigma * math.sqrt(2)))
assert 1e-22 < below_0 < 1e-20, "mass below 0 is about 1e-21"
# --8<-- [end:leak]

# %% [markdown]
# A row of 8 pixels with a dark-to-bright edge at one of four positions,
# equally often. The decoder's input does not say which, so the best it can
# do under MSE is one fixed row: the minimiser of the mean squared error.

# %%
# --8<-- [start:edge]
edges = np.array([2, 3, 4, 5])
rows = (np.arange(8)[None, :] >= edges[:, None]).astype(float)  # 4 images
data = rows[rng.integers(0, 4, size=4000)]  # a training set of such rows

# the MSE-optimal row: minimise mean (data - c)² pixel by pixel, on a grid
grid = np.linspace(0, 1, 1001)
mse = ((data[:, :, None] - grid[None, None, :]) ** 2).mean(axis=0)
best = grid[mse.argmin(axis=1)]
assert np.allclose(best, data.mean(axis=0), atol=1e-3), "it is the mean row"
assert np.allclose(best, [0, 0, 0.25, 0.5, 0.75, 1, 1, 1], atol=0.03), (
    "a ramp: the edge is blurred over the four positions"
)
assert not any(np.allclose(best, row, atol=0.1) for row in rows), (
    "and it is none of the four images"
)
# --8<-- [end:edge]
print(f"mass outside [0, 1]: {outside:.4f}; MSE-optimal row: {best}")

# %%
fig, (ax1, ax2) = plt.subplots(
    1, 2, figsize=(9, 3.2), width_ratios=[1.2, 1],
    num="three-things-pixel-gaussian", layout="constrained",
)
v = np.linspace(-0.3, 1.4, 681)
dens = np.exp(-((v - y_hat) ** 2) / (2 * sigma**2)) / (
    sigma * math.sqrt(2 * math.pi)
)
ax1.plot(v, dens, color="C0", label=f"$\\mathcal{{N}}(y \\mid {y_hat}, "
         f"{sigma}^2)$")
ax1.fill_between(v, dens, where=v > 1, color="C0", alpha=0.3,
                 label=f"mass above 1: {outside:.0%}")
ax1.axvspan(-0.3, 0, color="C7", alpha=0.15, lw=0)
ax1.axvspan(1, 1.4, color="C7", alpha=0.15, lw=0,
            label="impossible pixel values")
ax1.set(xlabel="pixel value $y$", ylabel="density",
        title="Gaussian noise around a bright pixel")
ax1.legend(fontsize=8, loc="upper left")

ax2.imshow(np.vstack([rows, best[None, :]]), cmap="gray", vmin=0, vmax=1,
           aspect="auto")
ax2.axhline(3.5, color="C7", lw=3)
for spine in ax2.spines.values():
    spine.set_visible(True)
ax2.set_yticks(range(5), [f"image {i + 1}" for i in range(4)]
               + ["MSE-optimal"])
ax2.set_xticks(range(8))
ax2.set(xlabel="pixel", title="Four images, one MSE reconstruction")
ax2.grid(False)
plt.show()
