"""Maximising the likelihood, minimising the NLL and minimising the loss pick the same parameter.

Chapter "Losses are negative log-likelihoods": the claim MLE = min NLL = min loss,
checked on a grid for a Gaussian (MSE, optimum at the sample mean) and a Laplace
(MAE, optimum at the sample median) noise model.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
# a small, skewed sample, so mean and median differ
y = rng.gamma(2.0, 1.0, size=15)
mu = np.linspace(0.0, 4.0, 4001)  # candidate values of the one parameter
step = mu[1] - mu[0]
r = y[None, :] - mu[:, None]

# %%
# --8<-- [start:three-views]
sigma, b = 1.0, 1.0
views = {
    "Gaussian": {
        "likelihood": np.prod(
            np.exp(-(r**2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2),
            axis=1,
        ),
        "loss": np.mean(r**2, axis=1),  # MSE
        "estimate": y.mean(),
    },
    "Laplace": {
        "likelihood": np.prod(np.exp(-np.abs(r) / b) / (2 * b), axis=1),
        "loss": np.mean(np.abs(r), axis=1),  # MAE
        "estimate": np.median(y),
    },
}
for name, v in views.items():
    v["nll"] = -np.log(v["likelihood"])
    i_like, i_nll, i_loss = (
        v["likelihood"].argmax(),
        v["nll"].argmin(),
        v["loss"].argmin(),
    )
    assert i_like == i_nll == i_loss, f"{name}: the three optima coincide"
    assert abs(mu[i_loss] - v["estimate"]) <= step, (
        f"{name}: at the mean/median"
    )
# --8<-- [end:three-views]
# this draw's mean and median, quoted under the figure
sample_mean, sample_median = y.mean(), np.median(y)

# %%
fig, axes = plt.subplots(
    2, 3, figsize=(9, 4.8), sharex=True, num="mle-three-views",
    layout="constrained",
)
for row, (name, v) in enumerate(views.items()):
    color = "C0" if name == "Gaussian" else "C1"
    best = mu[v["loss"].argmin()]
    what = "mean" if name == "Gaussian" else "median"
    panels = [
        (v["likelihood"] / v["likelihood"].max(), "likelihood ÷ its max"),
        (v["nll"], "NLL"),
        (v["loss"], "MSE" if name == "Gaussian" else "MAE"),
    ]
    for col, (curve, title) in enumerate(panels):
        ax = axes[row, col]
        ax.plot(mu, curve, color=color)
        ax.axvline(best, color="k", lw=0.8, ls="--")
        ax.set_title(f"{name}: {title}", fontsize=9)
        # the data, as ticks along the bottom
        ax.plot(y, np.full_like(y, ax.get_ylim()[0]), "|", color="C7", ms=8)
    axes[row, 2].annotate(
        f"{what} = {best:.2f}",
        xy=(best, v["loss"].min()),
        xytext=(best + 0.5, v["loss"].min() + 0.35 * np.ptp(v["loss"])),
        arrowprops=dict(arrowstyle="->", lw=0.8),
        fontsize=8,
    )
for ax in axes[1]:
    ax.set_xlabel("$\\mu$")
plt.show()
