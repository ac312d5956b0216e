"""A Gaussian's best mean is the sample mean, whatever its variance.

Chapter "Why MSE blurs": the precise form of "Gaussian noise says all
uncertainty is unimodal". The targets for one input are +1 or -1 (50/50, with
a little noise). Fitting a Gaussian by its NLL puts the mean at the average,
≈ 0, for every fixed variance; learning the variance widens the bell but does
not move it, so the fitted model's most likely value is one no target is near.
"""

# %%
import math

import torch
from torch.distributions import Normal

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
n = 1000
sign = torch.randint(0, 2, (n,)) * 2.0 - 1.0  # +1 or -1, 50/50
y = sign + 0.1 * torch.randn(n)  # two tight clusters, nothing near 0


def fit(params, loss_fn):
    """Minimise loss_fn over params with L-BFGS, to high precision."""
    opt = torch.optim.LBFGS(
        params,
        max_iter=500,
        tolerance_grad=1e-12,
        tolerance_change=0,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    opt.step(closure)


# %%
# --8<-- [start:fixed]
nll = torch.nn.GaussianNLLLoss(full=True)  # takes the variance
for sigma in (0.1, 1.0, 10.0):  # fixed: the loss is MSE/(2σ²) + const
    mu = torch.tensor([0.7], requires_grad=True)
    var = torch.full((n,), sigma**2)
    fit([mu], lambda: nll(mu.expand(n), y, var))
    assert abs(mu.item() - y.mean()) < 1e-6, f"σ={sigma}: μ at the average"
# --8<-- [end:fixed]

# %%
# --8<-- [start:learned]
mu = torch.tensor([0.7], requires_grad=True)
log_var = torch.tensor([0.0], requires_grad=True)  # learned as well
fit([mu, log_var], lambda: nll(mu.expand(n), y, log_var.exp().expand(n)))
var_hat = log_var.exp().item()
assert abs(mu.item() - y.mean()) < 1e-6, "still at the sample mean"
assert abs(var_hat - y.var(correction=0)) < 1e-6, "variance = sample variance"
# --8<-- [end:learned]

# %% [markdown]
# The fitted bell peaks where the data are absent. Its most likely value
# is μ̂ ≈ 0, yet no target lies within 0.5 of it, and it rates μ̂ as more
# likely than the two values, ±1, that the targets actually cluster around.

# %%
# --8<-- [start:implausible]
assert ((y - mu.detach()).abs() < 0.5).sum() == 0, "no target near the mean"
model = Normal(mu.item(), math.sqrt(var_hat))
for mode in (-1.0, 1.0):
    log_ratio = model.log_prob(torch.tensor(mu.item())) - model.log_prob(
        torch.tensor(mode)
    )
    assert log_ratio.exp() > 1.5, "it rates the empty middle above the modes"
# --8<-- [end:implausible]
y_bar = y.mean().item()
print(f"ȳ = {y.mean():.4f}, μ̂ = {mu.item():.4f}, σ̂² = {var_hat:.4f}")
