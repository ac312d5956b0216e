"""The MAP balances likelihood and prior; a Laplace prior's corner zeroes θ₂.

Chapter "MLE vs MAP". On a two-weight regression, the posterior mode under a
Gaussian prior (ridge) and under a Laplace prior of the same variance (lasso)
are computed in closed form and by proximal gradient, checked against the
posterior on a grid, and drawn with the contours they balance.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

rng = np.random.default_rng(5)
N, sigma = 20, 1.0
x1 = rng.normal(size=N)
x2 = 0.7 * x1 + np.sqrt(1 - 0.7**2) * rng.normal(size=N)  # correlated
X = np.column_stack([x1, x2])
y = X @ np.array([1.0, 0.4]) + sigma * rng.normal(size=N)

b = 0.25  # Laplace prior scale
tau = np.sqrt(2) * b  # Gaussian prior with the same variance, 2b²
lam = sigma**2 / tau**2  # ridge weight
lam1 = sigma**2 / b  # lasso weight


def soft(z, t):
    """Soft-thresholding, the proximal map of t‖·‖₁."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def lasso(weight, iters=3000):
    """ISTA for argmin ½‖y - Xθ‖² + weight‖θ‖₁."""
    step = 1 / np.linalg.eigvalsh(X.T @ X).max()
    theta = np.zeros(X.shape[1])
    for _ in range(iters):
        theta = soft(theta - step * X.T @ (X @ theta - y), step * weight)
    return theta


def ridge(weight):
    return np.linalg.solve(X.T @ X + weight * np.eye(2), X.T @ y)


# %%
# --8<-- [start:modes]
theta_mle = np.linalg.lstsq(X, y, rcond=None)[0]
theta_ridge, theta_lasso = ridge(lam), lasso(lam1)
assert theta_lasso[1] == 0.0, "the Laplace MAP puts θ₂ exactly at 0"
r = y - X @ theta_lasso
assert abs(X[:, 1] @ r) < lam1, "... and 0 is optimal: |x₂ᵀr| < λ₁ (KKT)"
assert abs(X[:, 0] @ r - lam1 * np.sign(theta_lasso[0])) < 1e-9, "KKT θ₁"
assert np.all(np.abs(theta_ridge) > 0.1), "the Gaussian MAP keeps both"

# the same modes, read off the log posterior on a grid
g = np.linspace(-0.5, 1.5, 801)
T1, T2 = np.meshgrid(g, g)
thetas = np.stack([T1.ravel(), T2.ravel()], axis=1)
nll = ((y[None, :] - thetas @ X.T) ** 2).sum(1) / (2 * sigma**2)
pen_gauss = (thetas**2).sum(1) / (2 * tau**2)  # -log N(0, τ²I) + const
pen_laplace = np.abs(thetas).sum(1) / b  # -log Laplace(0, b) + const
for pen, mode in ((pen_gauss, theta_ridge), (pen_laplace, theta_lasso)):
    best = thetas[(nll + pen).argmin()]
    assert np.all(np.abs(best - mode) <= g[1] - g[0]), "grid agrees"
# --8<-- [end:modes]
print("MLE", theta_mle.round(3), "ridge", theta_ridge.round(3),
      "lasso", theta_lasso.round(3))

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 4.4), sharey=True,
                         num="map-prior-geometry")
scales = np.geomspace(10.0, 0.01, 120)  # prior scale, wide to narrow
panels = [
    (axes[0], pen_gauss, theta_ridge, "C7", "Gaussian prior: ridge",
     np.array([ridge(sigma**2 / (2 * s**2)) for s in scales])),
    (axes[1], pen_laplace, theta_lasso, "C1", "Laplace prior: lasso",
     np.array([lasso(sigma**2 / s, 500) for s in scales])),
]
for ax, pen, mode, color, title, path in panels:
    # contours drawn from every 4th grid point: the same curves, lighter
    S1, S2 = T1[::4, ::4], T2[::4, ::4]
    Z_nll = nll.reshape(T1.shape)[::4, ::4]
    Z_pen = pen.reshape(T1.shape)[::4, ::4]
    # the contour of each term that passes through the MAP, in bold
    n0 = ((y - X @ mode) ** 2).sum() / (2 * sigma**2)
    p0 = (mode**2).sum() / (2 * tau**2) if pen is pen_gauss else (
        np.abs(mode).sum() / b
    )
    ax.contour(S1, S2, Z_nll, levels=n0 + np.array([-1.5, -1, 1, 3, 6]),
               colors="C0", linewidths=0.6, alpha=0.6)
    ax.contour(S1, S2, Z_nll, levels=[n0], colors="C0", linewidths=1.8)
    ax.contour(S1, S2, Z_pen, levels=p0 * np.array([0.4, 1.6]),
               colors=color, linewidths=0.6, linestyles="--", alpha=0.7)
    ax.contour(S1, S2, Z_pen, levels=[p0], colors=color, linewidths=1.8,
               linestyles="--")
    ax.plot(path[:, 0], path[:, 1], color="k", lw=0.8)
    ax.plot(*theta_mle, "o", color="C0")
    ax.plot(*mode, "*", color="k", ms=12)
    ax.axhline(0, color="k", lw=0.5)
    ax.axvline(0, color="k", lw=0.5)
    ax.set_title(title)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_aspect("equal")
axes[0].set_ylabel(r"$\theta_2$")
handles = [
    plt.Line2D([], [], color="C0", label=r"$-\log p(y\mid\theta)$"),
    plt.Line2D([], [], color="C7", ls="--",
               label=r"Gaussian $-\log p(\theta)$"),
    plt.Line2D([], [], color="C1", ls="--",
               label=r"Laplace $-\log p(\theta)$"),
    plt.Line2D([], [], color="C0", marker="o", ls="", label="MLE"),
    plt.Line2D([], [], color="k", marker="*", ms=10, ls="", label="MAP"),
    plt.Line2D([], [], color="k", lw=0.8, label="MAP as the prior narrows"),
]
fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8)
plt.show()
