"""BCE on grey pixels drops the continuous-Bernoulli normaliser log C(λ), and with it the link between λ and the mean: BCE fits λ = ȳ, the normalised likelihood a λ further from ½.

Chapter "Cross-entropy" (Loaiza-Ganem & Cunningham, 2019). For y ∈ [0, 1] the
continuous Bernoulli CB(λ) has density C(λ) λ^y (1 − λ)^(1 − y), so its NLL is
BCE(λ, y) − log C(λ). Chapter 3 checks the normaliser; this snippet looks at
what dropping it does to the fitted λ.
"""

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch.distributions import Beta, ContinuousBernoulli

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)


def log_c(lam):
    """log C(λ) = log(2 artanh(1 − 2λ) / (1 − 2λ)), for λ ≠ ½."""
    x = 1 - 2 * lam
    return torch.log(2 * torch.atanh(x) / x)


def cb_mean(lam):
    """The mean of CB(λ): λ/(2λ − 1) + 1/(2 artanh(1 − 2λ)), for λ ≠ ½."""
    return lam / (2 * lam - 1) + 1 / (2 * torch.atanh(1 - 2 * lam))


# %%
# --8<-- [start:normaliser]
lam = torch.tensor([0.17, 0.62, 0.91])
y = torch.rand(3)  # grey pixels
cb = ContinuousBernoulli(probs=lam)
bce = F.binary_cross_entropy(lam, y, reduction="none")
assert torch.allclose(-cb.log_prob(y), bce - log_c(lam)), (
    "CB NLL = BCE − log C(λ), C(λ) = 2 artanh(1 − 2λ)/(1 − 2λ)"
)
assert torch.allclose(cb.mean, cb_mean(lam)), "the CB mean formula"
half = ContinuousBernoulli(probs=torch.tensor(0.5))
assert torch.allclose(half.log_prob(y), torch.zeros(3)), (
    "CB(½) is Uniform(0, 1): C(½)·½ = 1, so C(½) = 2"
)
# --8<-- [end:normaliser]

# %% [markdown]
# Pixels at one input x: 500 grey values from a Beta distribution. Both losses
# depend on the pixels only through their mean ȳ (they are linear in y), so
# BCE is minimised at λ = ȳ, and the CB NLL where the CB's *mean* is ȳ.

# %%
# --8<-- [start:fit]
pixels = Beta(4.2, 1.6).sample((500,))
y_bar = pixels.mean()
grid = torch.linspace(0.0005, 0.9995, 19991)
grid = grid[(grid - 0.5).abs() > 1e-4]  # log C has a removable singularity at ½
mean_bce = F.binary_cross_entropy(grid, y_bar.expand_as(grid), reduction="none")
mean_cb = mean_bce - log_c(grid)  # the average CB NLL of the 500 pixels
lam_bce, lam_cb = grid[mean_bce.argmin()], grid[mean_cb.argmin()]
step = (grid[1] - grid[0]).item()
assert abs(lam_bce - y_bar) <= step, "BCE fits λ = ȳ"
assert abs(cb_mean(lam_cb) - y_bar) < 2 * step, "the CB fit has mean ȳ"
assert abs(lam_cb - 0.5) > abs(y_bar - 0.5) + 0.05, "and λ further from ½"
mean_if_read_as_cb = cb_mean(y_bar)  # the BCE fit, read as a CB density
same_side = (mean_if_read_as_cb - 0.5) * (y_bar - 0.5) > 0
closer = abs(mean_if_read_as_cb - 0.5) < abs(y_bar - 0.5) - 0.05
assert same_side and closer, "the BCE fit, read as a CB, has a mean pulled to ½"
# --8<-- [end:fit]

# %% [markdown]
# Why: −log C(λ) is largest at λ = ½ and falls towards 0 and 1, so the
# normaliser rewards a λ away from ½; without it, nothing does.

# %%
# --8<-- [start:why]
neg_log_c = -log_c(grid)
left, right = grid < 0.5, grid > 0.5
assert (neg_log_c[left].diff() > 0).all() and (neg_log_c[right].diff() < 0).all(), (
    "−log C(λ) rises to its peak −log 2 at ½ and falls away on both sides"
)
mu = cb_mean(grid)
assert ((mu - 0.5) * (grid - 0.5) > 0).all(), "μ(λ) is on the same side of ½ as λ"
assert ((mu - 0.5).abs() < (grid - 0.5).abs()).all(), "and closer to ½"
# --8<-- [end:why]
ends = torch.tensor([0.0, 1.0])  # the densities at y = 0 and y = 1, for the alt text
dens_bce_0, dens_bce_1 = ContinuousBernoulli(probs=lam_bce).log_prob(ends).exp().tolist()
dens_cb_0, dens_cb_1 = ContinuousBernoulli(probs=lam_cb).log_prob(ends).exp().tolist()
print(
    f"ȳ = {y_bar:.3f}: BCE λ = {lam_bce:.3f}; CB λ = {lam_cb:.3f} "
    f"(mean {cb_mean(lam_cb):.3f}); CB({y_bar:.3f}) has mean {mean_if_read_as_cb:.3f}"
)

# %%
fig, (ax_mean, ax_fit) = plt.subplots(
    1, 2, figsize=(9, 3.5), num="cb-fitted-lambda", layout="constrained"
)
ax_mean.plot(grid, grid, color="C5", ls="--", lw=1, label="Bernoulli: mean = λ")
ax_mean.plot(grid, cb_mean(grid), color="C5", label="continuous Bernoulli")
ax_mean.axhline(y_bar, color="C7", lw=0.8, ls=":")
ax_mean.plot([lam_bce], [mean_if_read_as_cb], "o", mfc="white", color="C5",
             label=f"BCE fit λ = {lam_bce:.2f}")
ax_mean.plot([lam_cb], [y_bar], "o", color="C5", label=f"CB fit λ = {lam_cb:.2f}")
ax_mean.set(xlabel="λ", ylabel="mean of the distribution", xlim=(0, 1), ylim=(0, 1))
ax_mean.legend(loc="upper left", fontsize=8)
ys = torch.linspace(0.001, 0.999, 400)
ax_fit.hist(pixels, bins=30, range=(0, 1), density=True, color="C7", alpha=0.5,
            label="pixels at one x")
ax_fit.plot(ys, ContinuousBernoulli(probs=lam_bce).log_prob(ys).exp(),
            color="C5", ls="--", label=f"CB(λ = {lam_bce:.2f}): BCE's fit")
ax_fit.plot(ys, ContinuousBernoulli(probs=lam_cb).log_prob(ys).exp(),
            color="C5", label=f"CB(λ = {lam_cb:.2f}): the MLE")
ax_fit.set(xlabel="pixel value $y$", ylabel="density", xlim=(0, 1))
ax_fit.legend(loc="upper left", fontsize=8)
plt.show()
