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

torch.manual_seed(0)
x = torch.rand(300, 1, dtype=torch.float64) * 3
y = Poisson(torch.exp(0.3 + 0.8 * x)).sample().squeeze(1)  # counts

# %%
# --8<-- [start:recipe]
# outputs η = log λ, the Poisson's parameter
f_theta = nn.Linear(1, 1).double()
# NLL of Poisson(exp(η)), minus log y!
loss_fn = nn.PoissonNLLLoss(log_input=True)
opt = torch.optim.LBFGS(
    f_theta.parameters(),
    max_iter=500,
    tolerance_grad=1e-12,
    tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = loss_fn(f_theta(x).squeeze(1), y)
    loss.backward()
    return loss


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
w, b = f_theta.weight.item(), f_theta.bias.item()
assert abs(w - 0.8) < 0.15 and abs(b - 0.3) < 0.2, (
    "close to the parameters that made the data"
)
# --8<-- [end:score]

# %% [markdown]
# The prediction is a distribution: about 80 % of counts fall in its central
# 80 % interval (10th–90th percentile of Poisson(λ(x))).

# %%
xs = torch.linspace(0, 3, 301, dtype=torch.float64)[:, None]
lam = f_theta(xs).squeeze(1).exp().detach()
k = torch.arange(0, 80, dtype=torch.float64)
cdf = Poisson(lam[:, None]).log_prob(k[None, :]).exp().cumsum(1)
lo, hi = k[(cdf < 0.1).sum(1)], k[(cdf < 0.9).sum(1)]
cdf_data = Poisson(rate[:, None]).log_prob(k[None, :]).exp().cumsum(1)
inside = (y >= k[(cdf_data < 0.1).sum(1)]) & (y <= k[(cdf_data < 0.9).sum(1)])
assert 0.74 < inside.double().mean() < 0.95, (
    "the predicted 10–90 % band covers about 80 % (counts are discrete)"
)
print(
    f"fitted log-rate: {b:.3f} + {w:.3f} x; band coverage {inside.double().mean():.3f}"
)

# %%
fig, ax = plt.subplots(num="poisson-recipe")
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
