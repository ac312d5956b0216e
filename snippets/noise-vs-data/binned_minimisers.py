"""Per x-bin, MSE, MAE and pinball fit the sample mean, median and quantile.

Chapter "Noise model vs data distribution". A model with one free value per
bin of x is trained three times on the same skewed, heteroscedastic data,
changing only the loss. Whatever the shape of the noise, each loss lands on
its own summary of the bin: the mean, the median, the 0.9-quantile.
"""

# %%
import math

import torch

SEED = 0
torch.manual_seed(SEED)
# --8<-- [start:data]
n = 2000
x = torch.rand(n, dtype=torch.float64)
s = 0.25 + x  # the spread grows with x
e = torch.distributions.Exponential(torch.tensor(1.0, dtype=torch.float64))
# skewed noise with mean 0: y | x = 1 + 2x + s(x) (E - 1), E ~ Exp(1)
y = 1 + 2 * x + s * (e.sample((n,)) - 1)
# --8<-- [end:data]

# %%
# --8<-- [start:fit]
n_bins, tau = 8, 0.9
bin_of = torch.clamp((x * n_bins).long(), max=n_bins - 1)


def pinball(u, tau):
    return u * (tau - (u < 0).double())


losses = {
    "MSE": lambda r: (r**2).mean(),
    "MAE": lambda r: r.abs().mean(),
    "pinball": lambda r: pinball(r, tau).mean(),
}
fitted = {}
for name, loss_fn in losses.items():
    c = torch.zeros(n_bins, dtype=torch.float64, requires_grad=True)
    # beta2 = 0.9, not the default 0.999: the step normaliser must forget
    # the large gradients of the first steps (see the note below)
    opt = torch.optim.Adam([c], lr=0.1, betas=(0.9, 0.9))
    # the step size decays geometrically from 0.1 to 1e-5
    decay = torch.optim.lr_scheduler.ExponentialLR(opt, (1e-4) ** (1 / 1500))
    for _ in range(1500):
        opt.zero_grad()
        loss_fn(y - c[bin_of]).backward()
        opt.step()
        decay.step()
    fitted[name] = c.detach()
# --8<-- [end:fit]

# %% [markdown]
# A constant c minimises the bin's mean pinball loss exactly when at most a
# fraction τ of the bin's points lies below c and at least τ lies at or
# below it (τ = ½ for MAE). Adam divides each step by a running root mean
# square of past gradients, √v̂. With β₂ = 0.999 that average remembers the
# first steps, when c was far below the data and the gradient was large;
# near the 0.9-quantile, where the data are sparse, the pinball gradient is
# far smaller, so the steps shrink with it and c stalls short of the
# optimum. With β₂ = 0.9 the average forgets within tens of steps, and
# since β₁ = β₂, Cauchy–Schwarz gives |m̂| ≤ √v̂: no step is longer than
# the learning rate, which ends at 1e-5. We allow c to miss the optimal set
# by tol = 1e-4, ten final steps.

# %%
# --8<-- [start:claims]
tol = 1e-4
for k in range(n_bins):
    yk = y[bin_of == k]
    mean, median = yk.mean(), torch.quantile(yk, 0.5)
    q = torch.quantile(yk, tau)
    assert abs(fitted["MSE"][k] - mean) < tol, "MSE gives the bin's mean"
    for name, t, stat in (("MAE", 0.5, median), ("pinball", tau, q)):
        ck = fitted[name][k]
        below = (yk < ck - tol).double().mean()
        at_or_below = (yk <= ck + tol).double().mean()
        assert below <= t <= at_or_below, f"{name} gives the {t}-quantile"
        # torch.quantile interpolates between the two order statistics
        # around position (n_k - 1) t; the minimiser is one of them
        srt = yk.sort().values
        i = math.floor((len(yk) - 1) * t)
        assert abs(ck - stat) <= srt[i + 1] - srt[i] + tol, (
            f"{name} matches torch.quantile(y, {t}) up to one gap"
        )
    # the three are different numbers: the check above is not vacuous
    assert median + 100 * tol < mean < q - 100 * tol, "median < mean < q"
# --8<-- [end:claims]
for name, c in fitted.items():
    print(f"{name:8s}", " ".join(f"{v:6.3f}" for v in c.tolist()))


# how far each fit is from its optimal set, at worst over the 8 bins
def miss(c, t, y=y, bin_of=bin_of):
    worst = 0.0
    for k in range(n_bins):
        srt = y[bin_of == k].sort().values
        j = math.ceil(t * len(srt))  # the minimiser is order statistic j
        hi = srt[j] if t * len(srt) == j else srt[j - 1]
        worst = max(worst, float(srt[j - 1] - c[k]), float(c[k] - hi))
    return worst


miss_mae, miss_pinball = miss(fitted["MAE"], 0.5), miss(fitted["pinball"], tau)

# %% [markdown]
# Why β₂ = 0.9: the pinball fit on ten more draws of the data, all at once
# (Adam acts on each coordinate separately), with the default β₂ = 0.999
# and with β₂ = 0.9, everything else unchanged.

# %%
# --8<-- [start:beta2]
D = 10
xd = torch.rand(D, n, dtype=torch.float64)
yd = 1 + 2 * xd + (0.25 + xd) * (e.sample((D, n)) - 1)
bins_d = torch.clamp((xd * n_bins).long(), max=n_bins - 1)
cs = {b2: torch.zeros(D, n_bins, dtype=torch.float64, requires_grad=True)
      for b2 in (0.999, 0.9)}
# one optimiser, two parameter groups that differ only in beta2
opt = torch.optim.Adam(
    [{"params": [c], "betas": (0.9, b2)} for b2, c in cs.items()], lr=0.1
)
decay = torch.optim.lr_scheduler.ExponentialLR(opt, (1e-4) ** (1 / 1500))
for _ in range(1500):
    opt.zero_grad()
    sum(pinball(yd - c.gather(1, bins_d), tau).mean(1).sum()
        for c in cs.values()).backward()
    opt.step()
    decay.step()
misses = {b2: [miss(c[d].detach(), tau, yd[d], bins_d[d]) for d in range(D)]
          for b2, c in cs.items()}
assert max(misses[0.9]) < tol, "with beta2 = 0.9 every draw converges"
# --8<-- [end:beta2]
stalled = [m for m in misses[0.999] if m > tol]  # default beta2, > 1e-4
n_stalled = len(stalled)
stall_min, stall_max = min(stalled, default=0.0), max(stalled, default=0.0)
miss_beta2_09 = max(misses[0.9])
print(f"largest distance to the optimal set: MAE {miss_mae:.1e},"
      f" pinball {miss_pinball:.1e}; on {D} more draws, default beta2"
      f" stalls on {n_stalled} by {stall_min:.1e} to {stall_max:.1e},"
      f" beta2 = 0.9 misses by at most {miss_beta2_09:.1e}")
