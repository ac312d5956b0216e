"""A Gaussian MLE fit to a two-component mixture matches its moments only.

Chapter "Misspecification and KL": the MLE of a 2-D Gaussian is the sample
mean and the biased sample covariance, and the forward-KL projection of a
mixture onto Gaussians has exactly the mixture's mean and covariance. The
fit is too low at both modes and puts its own mode in the gap between them.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
SEED = 0
rng = np.random.default_rng(SEED)

# %%
# --8<-- [start:mixture]
# p_data: two Gaussian components with unequal weights and shapes
w = np.array([0.6, 0.4])
means = np.array([[-2.0, -1.0], [2.0, 1.5]])
covs = np.array(
    [[[0.35, 0.15], [0.15, 0.25]], [[0.25, -0.1], [-0.1, 0.3]]]
)

# the mixture's exact mean and covariance (law of total covariance)
m = w @ means
second_moment = sum(
    w_k * (S_k + np.outer(mu_k, mu_k))
    for w_k, mu_k, S_k in zip(w, means, covs)
)
C = second_moment - np.outer(m, m)

# the training sample: pick a component, then draw from it
N = 2000
k = rng.choice(2, size=N, p=w)
chol = np.linalg.cholesky(covs)
Y = means[k] + np.einsum("nij,nj->ni", chol[k], rng.standard_normal((N, 2)))
# --8<-- [end:mixture]


# %%
# --8<-- [start:mle]
def gaussian_nll(mu, L, Y):
    """Mean −log N(y | μ, LLᵀ) over the rows of Y (L lower triangular)."""
    dist = torch.distributions.MultivariateNormal(mu, scale_tril=L)
    return -dist.log_prob(Y).mean()


def fit(objective):
    """Minimise objective(μ, L) over μ and a Cholesky factor L."""
    mu = torch.zeros(2, requires_grad=True)
    raw = torch.zeros(3, requires_grad=True)  # log-diagonal, off-diagonal
    opt = torch.optim.LBFGS(
        [mu, raw], max_iter=500, tolerance_grad=1e-12,
        tolerance_change=1e-14, line_search_fn="strong_wolfe",
    )

    def tril():
        L = torch.diag(raw[:2].exp())
        return L + torch.diag(raw[2:], -1)

    def closure():
        opt.zero_grad()
        loss = objective(mu, tril())
        loss.backward()
        return loss

    opt.step(closure)
    L = tril().detach()
    return mu.detach().numpy(), (L @ L.T).numpy()


Yt = torch.from_numpy(Y)
mu_hat, Sigma_hat = fit(lambda mu, L: gaussian_nll(mu, L, Yt))

# the closed form: sample mean and *biased* (divide by N) sample covariance
ybar = Y.mean(axis=0)
S_biased = (Y - ybar).T @ (Y - ybar) / N
assert np.allclose(mu_hat, ybar, atol=1e-6), "MLE mean = sample mean"
assert np.allclose(Sigma_hat, S_biased, atol=1e-6), "MLE cov = biased cov"
assert not np.allclose(Sigma_hat, np.cov(Y.T), atol=1e-4), "not the N−1 one"
# --8<-- [end:mle]


# %% [markdown]
# With infinite data the sample NLL becomes E_p[−log N(y | μ, Σ)], which is
# exact here: under each component it is a Gaussian expectation in closed
# form. Its minimiser, the forward-KL projection, is the mixture's own mean
# and covariance.

# %%
# --8<-- [start:projection]
def expected_nll(mu, L):
    """E_{p_data}[−log N(y | μ, LLᵀ)], exactly, component by component."""
    Sigma = L @ L.T
    total = 0.0
    for w_k, mu_k, S_k in zip(w, means, covs):
        d = torch.from_numpy(mu_k) - mu
        quad = torch.trace(torch.linalg.solve(Sigma, torch.from_numpy(S_k)))
        quad = quad + d @ torch.linalg.solve(Sigma, d)
        total = total + w_k * 0.5 * (
            2 * math.log(2 * math.pi) + torch.logdet(Sigma) + quad
        )
    return total


mu_star, Sigma_star = fit(expected_nll)
assert np.allclose(mu_star, m, atol=1e-6), "projection's mean = mixture's"
assert np.allclose(Sigma_star, C, atol=1e-6), "projection's cov = mixture's"
# and the sample MLE is within 4 standard errors of them
assert np.all(np.abs(ybar - m) < 4 * np.sqrt(np.diag(C) / N)), "consistent"
# --8<-- [end:projection]


# %%
# --8<-- [start:modes]
def mixture_pdf(pts):
    return sum(
        w_k * gauss_pdf(pts, mu_k, S_k)
        for w_k, mu_k, S_k in zip(w, means, covs)
    )


def gauss_pdf(pts, mu, Sigma):
    d = pts - mu
    quad = np.einsum("...i,ij,...j->...", d, np.linalg.inv(Sigma), d)
    return np.exp(-quad / 2) / (2 * np.pi * np.sqrt(np.linalg.det(Sigma)))


# compare the mixture with its projection N(m, C), not with the sample fit
at_modes = mixture_pdf(means), gauss_pdf(means, m, C)
in_gap = mixture_pdf(m), gauss_pdf(m, m, C)
ratio_modes = at_modes[0] / at_modes[1]
ratio_gap = in_gap[1] / in_gap[0]
assert np.all(ratio_modes > 3), "N(m, C) is over 3× too low at both modes"
assert ratio_gap > 10, "and over 10× too high in the gap, at its own mode"
# the values quoted (closed-form densities, so exact up to rounding)
assert np.allclose(ratio_modes, [3.73, 3.68], atol=5e-3), "3.73×, 3.68×"
assert abs(ratio_gap - 18.54) < 5e-3, "18.54× at m"
ratio_mode_1, ratio_mode_2 = ratio_modes  # quoted on the page
# --8<-- [end:modes]

# %%
# --8<-- [start:gap]
# probability of the disc of radius 1 around the mixture mean (grid sum)
g = np.linspace(-1, 1, 401)
gx, gy = np.meshgrid(g, g)
disc = gx**2 + gy**2 <= 1
pts = np.stack([gx, gy], -1)[disc] + m
cell = (g[1] - g[0]) ** 2
mass_mix = mixture_pdf(pts).sum() * cell
mass_fit = gauss_pdf(pts, m, C).sum() * cell
frac_in = np.mean(np.sum((Y - m) ** 2, axis=1) <= 1)
assert mass_fit > 5 * mass_mix, "N(m, C) puts mass in the gap"
# The grid sum differs from polar quadrature by < 1e-4 for both; the
# tolerances are half a unit in the last digit quoted.
assert abs(mass_fit - 0.28) < 5e-3 and abs(mass_mix - 0.047) < 5e-4, (
    "the disc has probability 0.28 under N(m, C), 0.047 under the mixture"
)
n_in_disc = round(frac_in * N)  # this build's draw, quoted on the page
se = math.sqrt(mass_mix * (1 - mass_mix) / N)  # binomial standard error
assert abs(frac_in - mass_mix) < 4 * se, (
    "the data agree with the mixture, not with the fit"
)
# --8<-- [end:gap]

# %%
fig, axes = plt.subplots(
    1, 2, figsize=(9, 3.8), num="mis-gaussian-fit-2d", layout="constrained",
    gridspec_kw={"width_ratios": [1.25, 1]},
)
ax = axes[0]
xs = np.linspace(-4.5, 4.5, 241)
ys = np.linspace(-3.5, 4.0, 201)
XX, YY = np.meshgrid(xs, ys)
grid = np.stack([XX, YY], -1)
ax.scatter(Y[:, 0], Y[:, 1], s=2, color="C7", alpha=0.4, rasterized=True)
ax.plot([], [], ".", color="C7", label="data")
levels = [0.01, 0.04, 0.1]
ax.contour(XX, YY, mixture_pdf(grid), levels=levels, colors="k",
           linewidths=0.9)
ax.contour(XX, YY, gauss_pdf(grid, mu_hat, Sigma_hat), levels=levels,
           colors="C0", linewidths=1.2)
ax.plot(*means.T, "k+", ms=10, mew=1.5, label="component means")
ax.plot(*mu_hat, "x", color="C0", ms=8, mew=2, label="Gaussian's mode")
ax.plot([], [], color="k", lw=0.9, label="mixture contours")
ax.plot([], [], color="C0", lw=1.2, label="Gaussian MLE contours")
ax.set_xlabel("$y_1$")
ax.set_ylabel("$y_2$")
ax.set_aspect("equal")
ax.legend(fontsize=7.5, loc="upper left")

# the densities along the line through the two component means
ax = axes[1]
t = np.linspace(-0.6, 1.6, 400)
line = means[0] + t[:, None] * (means[1] - means[0])
ax.plot(
    t, mixture_pdf(line), color="k", label=r"mixture $p_{\mathrm{data}}$"
)
ax.plot(t, gauss_pdf(line, mu_hat, Sigma_hat), color="C0",
        label="Gaussian MLE")
# the heights the alt text quotes
peak_left = mixture_pdf(line[t < w[1]]).max()
peak_right = mixture_pdf(line[t > w[1]]).max()
peak_fit = gauss_pdf(line, mu_hat, Sigma_hat).max()
# the mixture mean m = mean 1 + w₂ (mean 2 − mean 1) is on this line too
for t_k in (0, w[1], 1):
    ax.axvline(t_k, color="C7", lw=0.8, ls=":")
ax.annotate("$m$", (w[1], 0.01), xytext=(4, 0), textcoords="offset points")
ax.set_xticks([0, 1], ["component mean 1", "component mean 2"])
ax.set_xlabel("along the line through the component means")

ax.set_ylabel("2-D density along the line")
ax.legend(fontsize=8)
plt.show()
