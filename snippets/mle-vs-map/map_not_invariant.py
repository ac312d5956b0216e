"""The MAP moves under reparameterisation; the MLE and the median do not.

Chapter "MLE vs MAP". Three heads and one tail with a uniform prior give the
posterior Beta(4, 2) for a coin's bias θ. Its mode is 3/4 in θ, but the mode
of the same posterior written in φ = logit θ maps back to 2/3: the density
picks up a Jacobian, the likelihood does not.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch.distributions import Beta, Gamma, TransformedDistribution
from torch.distributions.transforms import (
    AffineTransform,
    ExpTransform,
    SigmoidTransform,
)

torch.set_default_dtype(torch.float64)
heads, tails = 3, 1
a, b = 1 + heads, 1 + tails  # uniform prior Beta(1, 1) → posterior Beta(4, 2)
post_theta = Beta(torch.tensor(float(a)), torch.tensor(float(b)))
# the same posterior, as a distribution over φ = logit θ
post_phi = TransformedDistribution(post_theta, [SigmoidTransform().inv])

theta = torch.linspace(1e-6, 1 - 1e-6, 50001)
phi = torch.linspace(-12.0, 12.0, 120001)
d_theta, d_phi = theta[1] - theta[0], phi[1] - phi[0]

# %%
# --8<-- [start:jacobian]
s = torch.sigmoid(phi)
assert torch.allclose(
    post_phi.log_prob(phi),
    post_theta.log_prob(s) + torch.log(s * (1 - s)),  # + log |dθ/dφ|
), "p(φ) = p(θ(φ)) · θ(1 - θ)"
assert abs(post_phi.log_prob(phi).exp().sum() * d_phi - 1) < 1e-8, (
    "p(φ) is a density: it integrates to 1"
)
# --8<-- [end:jacobian]

# %%
# --8<-- [start:modes]
mode_theta = theta[post_theta.log_prob(theta).argmax()]
mode_phi = phi[post_phi.log_prob(phi).argmax()]
assert abs(mode_theta - (a - 1) / (a + b - 2)) < d_theta, "θ-mode = 3/4"
assert abs(mode_phi - math.log(a / b)) < d_phi, "φ-mode = logit(a/(a+b))"
assert abs(torch.sigmoid(mode_phi) - 2 / 3) < d_phi, "... which is θ = 2/3"
assert abs(torch.logit(mode_theta) - mode_phi) > 0.3, "MAP not invariant"

# the likelihood has no Jacobian: its maximiser maps across exactly
loglik_theta = heads * torch.log(theta) + tails * torch.log1p(-theta)
loglik_phi = heads * torch.log(s) + tails * torch.log1p(-s)
mle_theta = theta[loglik_theta.argmax()]
mle_phi = phi[loglik_phi.argmax()]
assert abs(mle_theta - 3 / 4) < d_theta, "MLE in θ is 3/4"
assert abs(mle_phi - math.log(3)) < d_phi, "MLE in φ is logit(3/4) = log 3"

# quantiles map across: the q-quantile of θ maps to the q-quantile of the
# increasing φ = logit θ, and to the (1 - q)-quantile of the decreasing
# -φ = -logit θ. The median maps to the median either way.
post_neg = TransformedDistribution(
    post_theta, [SigmoidTransform().inv, AffineTransform(0.0, -1.0)]
)


def quantile_fn(dist, grid):
    """Grid quantile function of dist, from its CDF on the grid."""
    cdf = dist.log_prob(grid).exp().cumsum(0) * (grid[1] - grid[0])
    return lambda q: grid[(cdf - q).abs().argmin()]


Q_theta = quantile_fn(post_theta, theta)
Q_phi, Q_neg = quantile_fn(post_phi, phi), quantile_fn(post_neg, phi)
# σ' ≤ 1/4, so grid error ≤ d_θ + d_φ/4 + Riemann error; 5e-4 bounds it
for q in (0.1, 0.5, 0.9):
    assert abs(torch.sigmoid(Q_phi(q)) - Q_theta(q)) < 5e-4, (
        "increasing map: the q-quantile → the q-quantile"
    )
    assert abs(torch.sigmoid(-Q_neg(1 - q)) - Q_theta(q)) < 5e-4, (
        "decreasing map: the q-quantile → the (1 - q)-quantile"
    )
assert abs(torch.sigmoid(-Q_neg(0.1)) - Q_theta(0.1)) > 0.1, (
    "... and not to the q-quantile"
)
med_theta, med_phi = Q_theta(0.5), Q_phi(0.5)
assert abs(med_theta - 0.686) < 5e-4, "the posterior median is 0.686"
# --8<-- [end:modes]
print(f"θ-mode {mode_theta:.4f}, φ-mode {mode_phi:.4f} → θ = "
      f"{torch.sigmoid(mode_phi):.4f}; MLE {mle_theta:.4f} / "
      f"{mle_phi:.4f} = logit({torch.sigmoid(mle_phi):.4f}); "
      f"median {med_theta:.4f} / σ({med_phi:.4f}) = "
      f"{torch.sigmoid(med_phi):.4f}")

# %% [markdown]
# Exercise 1: a Gamma(k, β) posterior for a rate θ > 0, written in log θ.

# %%
k, beta = 3.0, 2.0
g_theta = Gamma(torch.tensor(k), torch.tensor(beta))
g_log = TransformedDistribution(g_theta, [ExpTransform().inv])
t = torch.linspace(1e-6, 10.0, 50001)
u = torch.linspace(-8.0, 4.0, 60001)
assert abs(t[g_theta.log_prob(t).argmax()] - (k - 1) / beta) < 2e-4, (
    "Gamma mode in θ: (k - 1)/β"
)
assert abs(u[g_log.log_prob(u).argmax()] - math.log(k / beta)) < 2e-4, (
    "Gamma mode in log θ: log(k/β)"
)

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8, 3.2),
                               num="map-reparam-beta", layout="constrained")
th = theta[::25]  # fewer points to draw
ax0.plot(th, post_theta.log_prob(th).exp(), color="k")  # a posterior: black, like the MAP
ax0.axvline(3 / 4, color="k", ls="--", lw=1, ymax=0.78,
            label=r"mode in $\theta$: $3/4$ (= MLE)")
ax0.axvline(2 / 3, color="k", ls=":", lw=1.4, ymax=0.78,
            label=r"mode in $\varphi$, mapped back: $2/3$")
ax0.set_xlabel(r"$\theta$ (probability of heads)")
ax0.set_ylabel(r"$p(\theta\mid y)$")
ax0.set_title(r"posterior over $\theta$: Beta(4, 2)")
ax0.legend(loc="upper left", fontsize=8)

ph = phi[(phi > -4) & (phi < 6)][::25]
ax1.plot(ph, post_phi.log_prob(ph).exp(), color="k")
ax1.axvline(math.log(3), color="k", ls="--", lw=1, ymax=0.78,
            label=r"$\mathrm{logit}(3/4)=\log 3$ (= MLE)")
ax1.axvline(math.log(2), color="k", ls=":", lw=1.4, ymax=0.78,
            label=r"mode in $\varphi$: $\log 2$")
ax1.set_xlabel(r"$\varphi=\mathrm{logit}\,\theta$")
ax1.set_ylabel(r"$p(\varphi\mid y)$")
ax1.set_title(r"the same posterior over $\varphi$")
ax1.legend(loc="upper right", fontsize=8)
ax1.set_ylim(0, 1.35 * post_phi.log_prob(phi).exp().max())
ax0.set_ylim(0, 1.35 * post_theta.log_prob(theta).exp().max())
plt.show()
