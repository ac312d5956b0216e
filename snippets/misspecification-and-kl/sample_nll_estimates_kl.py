"""On a sample, the NLL only estimates the KL, and its minimiser scatters.

Chapter "Misspecification and KL": fit the mean μ of N(μ, 4.25) to draws
from ½N(−2, 0.5²) + ½N(2, 0.5²). The sample estimate of the KL is unbiased
at every fixed μ, but its minimiser μ̂ misses μ* = 0 by about σ/√N, and
its minimum is optimistic by 1/(2N) on average.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)

# %%
# --8<-- [start:setup]
A, S = 2.0, 0.5  # p_data = ½ N(−A, S²) + ½ N(A, S²)
V = A**2 + S**2  # its variance, 4.25; the model's σ² is fixed at V


def log_p(y):
    left = -((y + A) ** 2) / (2 * S**2)
    right = -((y - A) ** 2) / (2 * S**2)
    return np.logaddexp(left, right) - 0.5 * math.log(8 * math.pi * S**2)


def log_q(y, mu):
    return -0.5 * math.log(2 * math.pi * V) - (y - mu) ** 2 / (2 * V)


def sample(size):
    signs = rng.choice([-1.0, 1.0], size=size)
    return A * signs + S * rng.standard_normal(size)


# the exact KL(p_data ‖ N(μ, V)), by the trapezoid rule
grid = np.linspace(-12, 12, 2401)
p = np.exp(log_p(grid))


def kl(mu):
    return np.trapezoid(p * (log_p(grid) - log_q(grid, mu)), grid)


def kl_hat(y, mu):
    """The sample estimate: mean of log p_data(y_i) − log q(y_i)."""
    return np.mean(log_p(y) - log_q(y, mu), axis=-1)
# --8<-- [end:setup]


# %%
# --8<-- [start:estimate]
R = 2000  # independent training sets of each size
for N in (20, 2000):
    Y = sample((R, N))
    for mu in (0.0, 1.0):  # exact in expectation, at every fixed μ
        est = kl_hat(Y, mu)
        se = est.std() / math.sqrt(R)
        assert abs(est.mean() - kl(mu)) < 4 * se, "unbiased at fixed μ"
    # the sample minimiser (here μ̂ = ȳ) is not μ* = 0 ...
    mu_hat = Y.mean(axis=1)
    rms = math.sqrt(np.mean(mu_hat**2))
    assert abs(rms / math.sqrt(V / N) - 1) < 0.1, "μ̂ − μ* ~ σ/√N"
    # ... and the minimum is optimistic: E[KL̂(μ̂)] = KL(μ*) − 1/(2N). Since
    # KL̂(μ*) is unbiased (above), this is E[KL̂(μ*) − KL̂(μ̂)] = 1/(2N). The
    # difference, paired on each training set, has a spread of order 1/N
    # too, so its average resolves 1/(2N) at N = 2000 as well as at N = 20.
    est = kl_hat(Y, mu_hat[:, None])
    optimism = kl_hat(Y, 0.0) - est
    se = optimism.std() / math.sqrt(R)
    assert abs(optimism.mean() - 1 / (2 * N)) < 4 * se, "optimism = 1/(2N)"
    assert 1 / (2 * N) > 8 * se, "... and the check can tell it from 0"
    if N == 20:
        assert est.mean() < kl(0.0) - 0.01, "visibly below the true minimum"
        optimism_20 = optimism.mean()  # quoted on the page
    else:
        optimism_2000 = optimism.mean()
# --8<-- [end:estimate]

# %%
mus = np.linspace(-1.5, 1.5, 121)
fig, axes = plt.subplots(
    1, 2, figsize=(8, 3.2), sharey=True, num="mis-sample-estimates", layout="constrained"
)
true_label = r"$\mathrm{KL}(p_{\mathrm{data}}\,\|\,\mathcal{N}(\mu, 4.25))$"
for ax, N in zip(axes, (20, 2000)):
    for j in range(8):  # eight training sets of size N
        y = sample(N)
        first = j == 0
        ax.plot(mus, kl_hat(y[None, :], mus[:, None]), color="C7", lw=0.9,
                label="sample estimates" if first else None)
        ax.plot(y.mean(), kl_hat(y, y.mean()), "o", color="C7", ms=4,
                label=r"their minima, at $\hat\mu$" if first else None)
    ax.plot(mus, [kl(mu) for mu in mus], color="C0", lw=2.2,
            label=true_label)
    ax.plot(0, kl(0.0), "*", color="C0", ms=12, label=r"its minimum, $\mu^*$")
    ax.set_title(f"$N = {N}$")
    ax.set_xlabel(r"$\mu$")
axes[0].set_ylabel("KL (nats)")
axes[1].legend(fontsize=8, loc="upper center")
plt.show()
