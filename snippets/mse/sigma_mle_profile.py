"""With a shared σ, its MLE is the mean squared residual, and the profiled NLL is ½ log(2πe·MSE).

Chapter "Mean squared error": the Gaussian NLL keeps a ½ log 2πσ² term that
MSE drops. Minimising the NLL over σ as well, for fixed predictions, gives
σ̂² = MSE, and what is left is a monotone function of the MSE, so ranking
models by MSE and by their best Gaussian NLL always agree. The mean is the
least-squares fit whether σ is fixed or learned.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
n = 200
x = torch.rand(n) * 4 - 2
y = torch.sin(1.5 * x) + 0.3 * torch.randn(n)


def design(degree):
    """Polynomial features 1, x, ..., x^degree."""
    return torch.stack([x**k for k in range(degree + 1)], dim=1)


def nll(y_hat, sigma):
    """The full Gaussian NLL per point, constants included (mean over points)."""
    r = y - y_hat
    return (r**2 / (2 * sigma**2) + 0.5 * torch.log(2 * math.pi * sigma**2)).mean()


def minimise(params, loss_fn):
    """Minimise loss_fn over params with L-BFGS, to high precision."""
    opt = torch.optim.LBFGS(params, max_iter=500, tolerance_grad=1e-12,
                            tolerance_change=0, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    opt.step(closure)


# %%
# --8<-- [start:constants]
sigma = torch.tensor(0.37)  # a generic σ: no wrong formula agrees here by luck
y_hat = 0.8 * x
r = y - y_hat
by_hand = nll(y_hat, sigma)
by_torch = -torch.distributions.Normal(y_hat, sigma).log_prob(y).mean()
gauss_loss = torch.nn.GaussianNLLLoss(full=True)(y_hat, y, sigma**2 * torch.ones(n))
mse = torch.nn.MSELoss()(y_hat, y)
assert torch.isclose(by_hand, by_torch, rtol=1e-12), "(1) is Normal.log_prob"
assert torch.isclose(gauss_loss, by_torch, rtol=1e-12), "GaussianNLLLoss takes σ²"
mse_from_nll = 2 * sigma**2 * (by_hand - 0.5 * torch.log(2 * math.pi * sigma**2))
assert torch.isclose(mse, mse_from_nll, rtol=1e-12), "MSE = 2σ²(NLL − ½log2πσ²)"
# --8<-- [end:constants]

# %%
# --8<-- [start:profile]
fits = {}
for name, degree in (("line", 1), ("cubic", 3)):
    X = design(degree)
    w = torch.linalg.lstsq(X, y.unsqueeze(1)).solution.squeeze(1)  # least squares
    y_hat = X @ w
    mse = ((y - y_hat) ** 2).mean()
    log_sigma = torch.tensor(0.0, requires_grad=True)  # σ = 1 to start
    minimise([log_sigma], lambda: nll(y_hat, log_sigma.exp()))
    sigma2_hat = log_sigma.exp().item() ** 2
    nll_min = nll(y_hat, log_sigma.exp()).item()
    profiled = 0.5 * math.log(2 * math.pi * math.e * mse)
    assert abs(sigma2_hat / mse - 1) < 1e-8, f"{name}: σ̂² = MSE"
    assert abs(nll_min - profiled) < 1e-10, f"{name}: min NLL = ½log(2πe·MSE)"
    fits[name] = dict(w=w, y_hat=y_hat, mse=mse.item(), nll=nll_min)
# --8<-- [end:profile]
mse_line, mse_cubic = fits["line"]["mse"], fits["cubic"]["mse"]
nll_line, nll_cubic = fits["line"]["nll"], fits["cubic"]["nll"]

# %%
# --8<-- [start:rank]
assert (mse_cubic < mse_line) == (nll_cubic < nll_line), "same ranking"
gap = nll_line - nll_cubic
assert abs(gap - 0.5 * math.log(mse_line / mse_cubic)) < 1e-10, "gap = ½log ratio"
# --8<-- [end:rank]

# %%
# --8<-- [start:joint]
X = design(3)
w = torch.zeros(4, requires_grad=True)
log_sigma = torch.tensor(0.0, requires_grad=True)
minimise([w, log_sigma], lambda: nll(X @ w, log_sigma.exp()))
w_gap = (w.detach() - fits["cubic"]["w"]).abs().max().item()
assert w_gap < 1e-6, "learning σ jointly leaves the mean at least squares"
assert abs(log_sigma.exp().item() ** 2 / mse_cubic - 1) < 1e-6, "and σ̂² = MSE"
# --8<-- [end:joint]

# %%
sigmas = torch.logspace(-1, 0.3, 300)
fig, ax = plt.subplots(num="mse-profile", figsize=(6.4, 3.6), layout="constrained")
for name, style in (("line", "--"), ("cubic", "-")):
    fit = fits[name]
    curve = [nll(fit["y_hat"], s).item() for s in sigmas]
    ax.plot(sigmas, curve, "C0", ls=style, label=f"{name}: MSE = {fit['mse']:.3f}")
    ax.plot(math.sqrt(fit["mse"]), fit["nll"], "o", color="C0")
envelope = 0.5 * torch.log(2 * math.pi * math.e * sigmas**2)
ax.plot(sigmas, envelope, color="k", lw=1, ls=":",
        label=r"$\frac{1}{2}\log(2\pi e\,\sigma^2)$: where the minima lie")
ax.set_xscale("log")
ax.set_ylim(-0.2, 2.5)
ax.set_xlabel(r"$\sigma$ (log scale)")
ax.set_ylabel("Gaussian NLL per point (nats)")
ax.legend(loc="lower right", frameon=True, framealpha=0.9)
plt.show()
