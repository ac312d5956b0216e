"""The MAP balances likelihood and prior; a Laplace prior's corner zeroes θ₂.

Chapter "MLE vs MAP". On a two-weight regression with correlated features,
the posterior mode under a Laplace prior (lasso) lands exactly on the axis
θ₂ = 0, certified by its KKT conditions, while the mode under a Gaussian
prior (ridge) stays off that axis at every prior variance. Both modes are
checked against the log posterior on a grid and drawn with the contours
they balance.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
N, sigma, rho = 20, 0.1, 0.7
# a design with uncentred second moments X^T X / N = [[1, ρ], [ρ, 1]] exactly
# (no intercept, so these are the moments the model uses): whiten random
# draws, then colour them with chol([[1, ρ], [ρ, 1]])
Z = rng.normal(size=(N, 2))
L_Z = np.linalg.cholesky(Z.T @ Z / N)
L_S = np.linalg.cholesky(np.array([[1.0, rho], [rho, 1.0]]))
X = Z @ np.linalg.inv(L_Z).T @ L_S.T
theta_true = np.array([1.0, 0.1])
y = X @ theta_true + sigma * rng.normal(size=N)

lam, lam1 = 8.0, 10.0  # the ridge and the lasso weight
tau = sigma / np.sqrt(lam)  # Gaussian prior sd: λ = σ²/τ²
b = sigma**2 / lam1  # Laplace prior scale: λ₁ = σ²/b


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
assert np.allclose(X.T @ X / N, [[1, rho], [rho, 1]]), "design: corr ρ"
theta_mle = np.linalg.solve(X.T @ X, X.T @ y)
theta_ridge, theta_lasso = ridge(lam), lasso(lam1)
# the lasso MAP is on the axis, and the KKT conditions (12) certify it
assert theta_lasso[1] == 0.0, "the Laplace MAP puts θ₂ exactly at 0"
r = y - X @ theta_lasso
assert abs(X[:, 1] @ r) < lam1, "... and 0 is optimal: |x₂ᵀr| < λ₁ (KKT)"
assert abs(X[:, 0] @ r - lam1 * np.sign(theta_lasso[0])) < 1e-9, "KKT θ₁"
assert theta_lasso[0] > 0.1, "θ₁ survives"
# Not luck: without noise (y₀ = Xθ_true) the inequality in (12) holds with a
# margin of many noise standard deviations, sd(x₂ᵀr) = σ‖x₂ − ρx₁‖
y0 = X @ theta_true
t1 = (X[:, 0] @ y0 - lam1) / (X[:, 0] @ X[:, 0])
margin = lam1 - abs(X[:, 1] @ (y0 - X[:, 0] * t1))
kkt_margin_sd = margin / (sigma * np.linalg.norm(X[:, 1] - rho * X[:, 0]))
assert kkt_margin_sd > 5, "θ₂ = 0 for (almost) every draw of the noise"
# the ridge MAP (XᵀX + λI)⁻¹Xᵀy has θ₂ ∝ (x₂ᵀy)(x₁ᵀx₁ + λ) − (x₁ᵀx₂)(x₁ᵀy),
# a line in λ: positive at λ = 0 and rising, so θ₂ > 0 at every λ ≥ 0
numerator = lambda w: (X[:, 1] @ y) * (X[:, 0] @ X[:, 0] + w) - (  # noqa: E731
    X[:, 0] @ X[:, 1]) * (X[:, 0] @ y)
assert numerator(0.0) > 0 and X[:, 1] @ y > 0, "ridge: θ₂ > 0 for all λ ≥ 0"
for w in (0.1, lam, 1e3):
    det = np.linalg.det(X.T @ X + w * np.eye(2))
    assert np.isclose(ridge(w)[1], numerator(w) / det), "θ₂(λ) formula"
assert np.all(np.abs(theta_ridge) > 0.1), "the Gaussian MAP keeps both"

# the same modes, read off the log posterior on a grid (from XᵀX and Xᵀy)
g = np.linspace(-0.5, 1.5, 801)
T1, T2 = np.meshgrid(g, g)
thetas = np.stack([T1.ravel(), T2.ravel()], axis=1)
XtX, Xty = X.T @ X, X.T @ y
nll = (np.einsum("ni,ij,nj->n", thetas, XtX, thetas) - 2 * thetas @ Xty
       + y @ y) / (2 * sigma**2)  # ‖y − Xθ‖²/2σ²
pen_gauss = (thetas**2).sum(1) / (2 * tau**2)  # -log N(0, τ²I) + const
pen_laplace = np.abs(thetas).sum(1) / b  # -log Laplace(0, b) + const
for pen, mode in ((pen_gauss, theta_ridge), (pen_laplace, theta_lasso)):
    best = thetas[(nll + pen).argmin()]
    assert np.all(np.abs(best - mode) <= g[1] - g[0]), "grid agrees"
# --8<-- [end:modes]
# the coordinates the page quotes, for this build's draw
mle_1, mle_2 = theta_mle
ridge_1, ridge_2 = theta_ridge
lasso_1, lasso_2 = theta_lasso
print("MLE", theta_mle.round(3), "ridge", theta_ridge.round(3),
      "lasso", theta_lasso.round(3))

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 4.4), sharey=True,
                         num="map-prior-geometry", layout="constrained")
weights = np.geomspace(1e-3, 1e4, 120)  # prior weight, weak to strong
panels = [
    (axes[0], pen_gauss, theta_ridge, "C0", "Gaussian prior: ridge",
     np.array([ridge(w) for w in weights])),
    (axes[1], pen_laplace, theta_lasso, "C1", "Laplace prior: lasso",
     np.array([lasso(w, 500) for w in weights])),
]
n_min = ((y - X @ theta_mle) ** 2).sum() / (2 * sigma**2)
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
    ax.contour(S1, S2, Z_nll,
               levels=n_min + (n0 - n_min) * np.array([0.1, 0.4, 2, 3.5]),
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
    plt.Line2D([], [], color="C0", ls="--",
               label=r"Gaussian $-\log p(\theta)$"),
    plt.Line2D([], [], color="C1", ls="--",
               label=r"Laplace $-\log p(\theta)$"),
    plt.Line2D([], [], color="C0", marker="o", ls="", label="MLE"),
    plt.Line2D([], [], color="k", marker="*", ms=10, ls="", label="MAP"),
    plt.Line2D([], [], color="k", lw=0.8, label="MAP as the prior narrows"),
]
fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8)
plt.show()
