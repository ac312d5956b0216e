"""Maximising the likelihood, minimising the NLL and minimising the loss pick the same parameter.

Chapter "Losses are negative log-likelihoods": the claim MLE = min NLL = min loss,
checked on a grid for a Gaussian (MSE, optimum at the sample mean) and a Laplace
(MAE, optimum at the sample median) noise model.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(0)
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
assert (
    abs(views["Gaussian"]["estimate"] - views["Laplace"]["estimate"]) > 0.2
), "mean ≠ median here"

# %%
fig, axes = plt.subplots(
    2, 3, figsize=(9, 4.6), sharex=True, num="mle-three-views"
)
titles = [
    "likelihood $\\prod_i p(y_i\\mid\\mu)$",
    "NLL $-\\sum_i \\log p(y_i\\mid\\mu)$",
    "loss",
]
for row, (name, v) in enumerate(views.items()):
    color = "C0" if name == "Gaussian" else "C1"
    loss_name = "MSE" if name == "Gaussian" else "MAE"
    best = mu[v["loss"].argmin()]
    for col, key in enumerate(["likelihood", "nll", "loss"]):
        ax = axes[row, col]
        ax.plot(mu, v[key], color=color)
        ax.axvline(best, color="k", lw=0.8, ls="--")
        ax.set_title(titles[col] if col < 2 else f"{loss_name}", fontsize=9)
        if col == 0:
            ax.set_ylabel(f"{name} noise")
            ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
        if row == 1:
            ax.set_xlabel("$\\mu$")
    axes[row, 2].annotate(
        f"{'mean' if name == 'Gaussian' else 'median'} = {best:.2f}",
        xy=(best, v["loss"].min()),
        xytext=(best + 0.4, v["loss"].min() + 0.3 * np.ptp(v["loss"])),
        arrowprops=dict(arrowstyle="->", lw=0.8),
        fontsize=8,
    )
for ax in axes.flat:
    ax.plot(
        y,
        np.full_like(y, ax.get_ylim()[0]),
        "|",
        color="C7",
        ms=8,
        clip_on=False,
    )
plt.show()
