"""A Gaussian mixture's likelihood has no maximum; a floor on σ restores one.

Chapter "Why MSE blurs", training an MDN. Put one component of a mixture on
a single training point and shrink its scale: that point's density grows
like 1/σ while every other point keeps the density of the other component,
so the NLL falls without bound, by log 10 for every tenfold shrink once σ
is far below the gaps between the points (Bishop, PRML §9.2.1). With
σ_k = σ_min + s_k and s_k ≥ 0, no point's density can exceed
1/(√(2π) σ_min), and the NLL is bounded below by n log(√(2π) σ_min). The
bound is tested where a missing floor would break it: one component on
every data point, with every s_k shrinking to 0.
"""

# %%
import math

import torch

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
SIGMA_MIN, N_POINTS = 0.005, 50
y = torch.randn(N_POINTS)  # any data set will do


# --8<-- [start:nll]
def mixture_nll(y, log_pi, mu, sigma):
    """Eq. (8) summed over the data: components along the last axis."""
    log_n = (-((y[:, None] - mu) ** 2) / (2 * sigma**2) - sigma.log()
             - 0.5 * math.log(2 * math.pi))
    return -torch.logsumexp(log_pi + log_n, dim=1).sum()


log_pi = torch.tensor([0.3, 0.7]).log()
mu = torch.stack([y[0], y.mean()])  # component 1 sits on the first point


def floored(s, floor):
    """The scales σ_k = σ_min + s_k of a network with a floor."""
    return floor + s


def nll_at(s, floor=0.0):
    sigma = floored(torch.stack([torch.tensor(float(s)), y.std()]), floor)
    return mixture_nll(y, log_pi, mu, sigma)


scales = [10.0**-k for k in range(2, 13)]
drops = [nll_at(s) - nll_at(s / 10) for s in scales]
# --8<-- [end:nll]
# once σ is far below the gaps between data points, every tenfold shrink
# lowers the NLL by log 10: it falls without bound
tail = torch.tensor(drops[-4:])  # shrinks from 10^-9 down to 10^-13
assert (tail - math.log(10)).abs().max() < 1e-6, "log 10 per decade"
# --8<-- [start:floor]
bound = len(y) * (math.log(SIGMA_MIN) + 0.5 * math.log(2 * math.pi))


# the worst case for the bound: a component on every point, all scales → 0
def nll_everywhere(s, floor=0.0):
    log_pi_all = torch.full((N_POINTS,), -math.log(N_POINTS))
    sigma = floored(torch.full((N_POINTS,), float(s)), floor)
    return mixture_nll(y, log_pi_all, y, sigma)


nll_worst = nll_everywhere(1e-9)  # no floor: far below the bound
assert nll_worst < bound, "without a floor the bound is broken"
with_floor = torch.stack(
    [nll_at(s, SIGMA_MIN) for s in scales]
    + [nll_everywhere(s, SIGMA_MIN) for s in scales + [0.0]]
)
assert (with_floor > bound).all(), "with a floor, NLL ≥ n log(√(2π) σ_min)"
assert abs(with_floor[len(scales) - 1] - nll_at(0.0, SIGMA_MIN)) < 1e-6, (
    "and it converges"
)
# --8<-- [end:floor]
nll_floor_worst = with_floor[-1].item()  # every point on its own component
