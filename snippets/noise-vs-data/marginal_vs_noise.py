"""A bimodal p_data(y) can come with Gaussian noise: the noise model is p(y|x).

Chapter "Noise model vs data distribution". The targets below pile up in two
modes, and no Gaussian describes them, yet the residuals around a small
network fitted by MSE pass a normality test. A Gaussian noise model is a
statement about p(y|x), not about p_data(y).
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

SEED = 0
torch.manual_seed(SEED)
n, sigma = 1000, 0.5
# --8<-- [start:data]
x = 2 * torch.rand(n, 1, dtype=torch.float64) - 1  # uniform on [-1, 1]
# a smooth switch plus Gaussian noise: p(y|x) = N(3 tanh 5x, 0.5^2)
y = 3 * torch.tanh(5 * x) + sigma * torch.randn(n, 1, dtype=torch.float64)
# --8<-- [end:data]
# 3 tanh 5x is within 0.1 of ±3 where tanh 5|x| > 29/30
x_flat = math.atanh(29 / 30) / 5
frac_flat = 1 - x_flat  # the fraction of [-1, 1] with |x| > x_flat
assert abs(3 * math.tanh(5 * x_flat) - 2.9) < 1e-12, "the switch's edge"

# %% [markdown]
# Fit a small network by MSE, i.e. by the Gaussian NLL with fixed σ.

# %%
# --8<-- [start:fit]
f_theta = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
f_theta = f_theta.double()
opt = torch.optim.LBFGS(
    f_theta.parameters(), max_iter=100, line_search_fn="strong_wolfe"
)


def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(f_theta(x), y)
    loss.backward()
    return loss


opt.step(closure)
with torch.no_grad():
    r = (y - f_theta(x)).squeeze(1).numpy()  # residuals
y_np, x_np = y.squeeze(1).numpy(), x.squeeze(1).numpy()
# --8<-- [end:fit]


# %% [markdown]
# Two checks. Jarque–Bera: JB = n/6 (S² + (K − 3)²/4) from the sample
# skewness S and kurtosis K is χ²₂ under normality, so JB > 13.8 rejects
# a Gaussian at the 0.1 % level. And modes: a Gaussian kernel density
# estimate at Silverman's bandwidth. Where the density is flat, sampling
# noise puts small wiggles into the estimate, so a local maximum counts as
# a mode only if its prominence (its height above the higher of the two
# lowest points that separate it from higher ground) exceeds four standard
# errors of the estimate.


# %%
# --8<-- [start:tests]
def jarque_bera(v):
    v = v - v.mean()
    m2 = np.mean(v**2)
    skew, kurt = np.mean(v**3) / m2**1.5, np.mean(v**4) / m2**2
    return len(v) / 6 * (skew**2 + (kurt - 3) ** 2 / 4)


def kde(v, grid):
    """Density estimate and its standard error at each grid point."""
    iqr = np.subtract(*np.quantile(v, [0.75, 0.25]))
    h = 0.9 * min(v.std(), iqr / 1.34) * len(v) ** -0.2  # Silverman
    z = (grid[:, None] - v[None, :]) / h
    k = np.exp(-0.5 * z**2) / (h * math.sqrt(2 * math.pi))  # K_h(t - v_i)
    return k.mean(1), k.std(1) / math.sqrt(len(v))


def modes(dens, se):
    """Local maxima whose prominence exceeds 4 standard errors."""
    inner = dens[1:-1]
    peaks = np.flatnonzero((inner > dens[:-2]) & (inner > dens[2:])) + 1
    keep = []
    for p in peaks:
        lo = hi = p  # walk out until the estimate rises above the peak
        while lo > 0 and dens[lo - 1] <= dens[p]:
            lo -= 1
        while hi < len(dens) - 1 and dens[hi + 1] <= dens[p]:
            hi += 1
        left = lo + np.argmin(dens[lo : p + 1])
        right = p + np.argmin(dens[p : hi + 1])
        saddle = max(left, right, key=lambda i: dens[i])
        if dens[p] - dens[saddle] > 4 * (se[p] + se[saddle]):
            keep.append(p)
    return np.array(keep)


critical = -2 * math.log(0.001)  # 0.1 % point of chi-squared with 2 dof
assert abs(critical - 13.8) < 0.05, "the page's 13.8"
grid = np.linspace(-5, 5, 1001)
dens, dens_se = kde(y_np, grid)
peaks = modes(dens, dens_se)
dip = dens[peaks[0] : peaks[-1] + 1].min()
# --8<-- [end:tests]

# %%
# --8<-- [start:claims]
# p_data(y): two modes, one near each of ±3, a deep dip between them ...
assert len(peaks) == 2, "the marginal p_data(y) has exactly two modes"
assert np.allclose(np.abs(grid[peaks]), 3, atol=0.5), "modes near -3 and 3"
assert dip < dens[peaks].min() / 3, "the dip is under a third of a peak"
# ... and a Gaussian is rejected for it
assert jarque_bera(y_np) > critical, "p_data(y) is not Gaussian"
# the residuals around f_theta: Gaussian, with the noise level that made them
assert jarque_bera(r) < critical, "residuals pass the Gaussian check"
sigma_hat = math.sqrt(np.mean(r**2))
# the standard error of sigma_hat is about sigma / sqrt(2n) = 0.011
assert abs(sigma_hat - sigma) < 3 * sigma / math.sqrt(2 * n), "sigma = 0.5"
# and the same spread at every x (four quarters of the x range)
for lo in (-1.0, -0.5, 0.0, 0.5):
    rk = r[(x_np >= lo) & (x_np < lo + 0.5)]
    assert abs(rk.std() - sigma) < 4 * sigma / math.sqrt(2 * len(rk)), (
        "p(y|x) has the same spread at every x"
    )
# --8<-- [end:claims]
jb_y, jb_r = jarque_bera(y_np), jarque_bera(r)
mode_lo, mode_hi = grid[peaks[0]], grid[peaks[-1]]
dip_ratio = dip / dens[peaks].min()
print(
    f"JB of y {jarque_bera(y_np):.1f}, JB of residuals {jarque_bera(r):.2f}"
    f" (critical {critical:.2f}); modes at {grid[peaks]},"
    f" dip/peak {dip / dens[peaks].min():.3f}; sigma_hat {sigma_hat:.4f}"
)

# %%
fig, axes = plt.subplots(
    1,
    3,
    figsize=(8, 3.2),
    gridspec_kw={"width_ratios": [1.5, 1, 1]},
    num="nvd-marginal-vs-residuals",
    layout="constrained",
)
ax = axes[0]
ax.plot(x_np, y_np, "o", color="C7", ms=2.5, alpha=0.5, label="data")
xs = torch.linspace(-1, 1, 401, dtype=torch.float64)[:, None]
with torch.no_grad():
    ax.plot(xs.squeeze(1), f_theta(xs).squeeze(1), color="C0",
            label="$f_\\theta(x)$, fitted by MSE")
ax.set(xlabel="$x$", ylabel="$y$", title="data and $f_\\theta$")
ax.legend(fontsize=8, loc="upper left")

ax = axes[1]
ax.hist(y_np, bins=40, density=True, orientation="horizontal",
        color="C7", alpha=0.5, label="histogram of $y$")
ax.plot(dens, grid, color="C7", lw=1.2, label="KDE")
gauss = np.exp(-0.5 * ((grid - y_np.mean()) / y_np.std()) ** 2)
gauss /= y_np.std() * math.sqrt(2 * math.pi)
ax.plot(gauss, grid, "--", color="C0", label="best Gaussian")
ax.set(xlabel="density", ylim=axes[0].get_ylim(), xlim=(0, 0.42),
       title="marginal $p_{\\mathrm{data}}(y)$")
# the legend sits right of the Gaussian's peak, which is at about 0.15
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(0.4, 0.5))

ax = axes[2]
ax.hist(r, bins=30, density=True, color="C7", alpha=0.5,
        label="residuals $r$")
rs = np.linspace(-2, 2, 401)
ax.plot(rs, np.exp(-0.5 * (rs / sigma_hat) ** 2)
        / (sigma_hat * math.sqrt(2 * math.pi)), color="C0",
        label=f"$\\mathcal{{N}}(0, {sigma_hat:.2f}^2)$")
ax.set(xlabel="$r = y - f_\\theta(x)$", ylabel="density",
       title="noise: $y - f_\\theta(x)$")
ax.legend(fontsize=8, loc="upper left")
plt.show()
