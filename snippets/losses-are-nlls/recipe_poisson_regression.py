"""The recipe end to end: a network outputs the parameter of a distribution, and training minimises its NLL.

Chapter "Losses are negative log-likelihoods", the recipe. A linear "network"
outputs the log-rate of a Poisson for each x; minimising PoissonNLLLoss is
maximum likelihood, so at the optimum the score equations hold exactly, and the
fitted model predicts a whole distribution of counts, not a number.
"""

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.distributions import Poisson

SEED = 0
torch.manual_seed(SEED)
x = torch.rand(300, 1, dtype=torch.float64) * 3
y = Poisson(torch.exp(0.3 + 0.8 * x)).sample().squeeze(1)  # counts

# %%
# --8<-- [start:recipe]
# outputs η = log λ, the Poisson's parameter
f_theta = nn.Linear(1, 1).double()
# NLL of Poisson(exp(η)), minus log y!
loss_fn = nn.PoissonNLLLoss(log_input=True)


def closure():
    opt.zero_grad()
    loss = loss_fn(f_theta(x).squeeze(1), y)
    loss.backward()
    return loss


# quasi-Newton steps; the second pass, without a line search, polishes the
# optimum to full precision where the loss's value can no longer resolve it
for line_search in ("strong_wolfe", None):
    opt = torch.optim.LBFGS(
        f_theta.parameters(),
        max_iter=500,
        tolerance_grad=1e-12,
        tolerance_change=0,
        line_search_fn=line_search,
    )
    opt.step(closure)
# the fitted distribution's mean at each x
rate = f_theta(x).squeeze(1).exp().detach()
# --8<-- [end:recipe]

# %% [markdown]
# At the maximum-likelihood point the gradient of the NLL is zero. For a
# Poisson with log link that reads Σ(yᵢ − λᵢ) = 0 and Σ(yᵢ − λᵢ)xᵢ = 0.

# %%
# --8<-- [start:score]
assert abs((y - rate).sum()) < 1e-6, "score equation for the bias"
assert abs(((y - rate) * x.squeeze(1)).sum()) < 1e-6, (
    "score equation for the weight"
)
# standard errors from the Fisher information Σ λᵢ (1, xᵢ)(1, xᵢ)ᵀ
design = torch.cat([torch.ones_like(x), x], 1)
cov = torch.linalg.inv(design.T @ (rate[:, None] * design))
b, w = f_theta.bias.item(), f_theta.weight.item()
z_scores = (torch.tensor([b - 0.3, w - 0.8]) / cov.diagonal().sqrt()).abs()
assert (z_scores < 5).all(), (
    "within 5 standard errors of the parameters that made the data"
)
# --8<-- [end:score]

# %% [markdown]
# The prediction is a distribution. Its 10th–90th percentile band [q₁₀, q₉₀]
# (the smallest counts whose CDF reaches 0.1 and 0.9) holds at least 80 % of
# the fitted Poisson's probability, and more, because counts are discrete:
# P(q₁₀ ≤ Y ≤ q₉₀) = F(q₉₀) − F(q₁₀ − 1) ≥ 0.9 − 0.1. So the share of
# observed counts inside the band is compared with the share the fitted model
# expects, within 4 standard errors of a sum of independent Bernoullis.

# %%
# --8<-- [start:band]
k = torch.arange(0, 80, dtype=torch.float64)


def band(lam):
    """[q10, q90] of Poisson(lam), and the probability the band holds."""
    cdf = Poisson(lam[:, None]).log_prob(k[None, :]).exp().cumsum(1)
    before = nn.functional.pad(cdf, (1, 0))  # before[:, j] = F(j − 1)
    lo, hi = (cdf < 0.1).sum(1, keepdim=True), (cdf < 0.9).sum(1, keepdim=True)
    held = cdf.gather(1, hi) - before.gather(1, lo)  # F(q90) − F(q10 − 1)
    return k[lo[:, 0]], k[hi[:, 0]], held[:, 0]


lo_i, hi_i, p_band = band(rate)
assert (p_band >= 0.8 - 1e-12).all(), "the band holds ≥ 80 % by construction"
inside = (y >= lo_i) & (y <= hi_i)
coverage = inside.double().mean().item()  # what the data show
expected = p_band.mean().item()  # what the fitted model expects
se = (p_band * (1 - p_band)).sum().sqrt().item() / len(y)
assert abs(coverage - expected) < 4 * se, (
    "the data fall in the band as often as the model says"
)
# --8<-- [end:band]
xs = torch.linspace(0, 3, 301, dtype=torch.float64)[:, None]
lam = f_theta(xs).squeeze(1).exp().detach()
lo, hi, _ = band(lam)
print(
    f"fitted log-rate: {b:.3f} + {w:.3f} x; band coverage {coverage:.3f}, "
    f"expected {expected:.3f} ± {se:.3f}"
)

# %%
fig, ax = plt.subplots(num="poisson-recipe", layout="constrained")
ax.fill_between(
    xs.squeeze(1),
    lo,
    hi,
    step="mid",
    color="C6",
    alpha=0.2,
    label="10–90 % of Poisson($\\hat\\lambda(x)$)",
)
ax.plot(x.squeeze(1), y, "o", color="C7", ms=3, alpha=0.6, label="counts $y$")
ax.plot(
    xs.squeeze(1),
    lam,
    color="C6",
    label="$\\hat\\lambda(x) = \\exp f_\\theta(x)$",
)
ax.set(
    xlabel="$x$",
    ylabel="count",
    title="The network outputs a distribution's parameter",
)
ax.legend(fontsize=8, loc="upper left")
plt.show()
