"""β-NLL's gradient in μ is −(y−μ)σ^{2β}/σ²; at β = 1 it is the MSE gradient, halved.

Chapter "Mean squared error": Seitzer et al. (2022) multiply each point's
Gaussian NLL by a stop-gradient copy of its variance to the power β. The
stop-gradient matters: the weight changes how hard each point pulls on the
mean without changing where the variance settles. At the variance that fits a
residual r exactly (σ² = r²), the pull on μ is r^{2β−1}: 1/r for the plain NLL
(loss attenuation), a constant for β = ½, and r, as in MSE, for β = 1.
"""

# %%
import itertools

import torch

torch.set_default_dtype(torch.float64)


# --8<-- [start:beta_nll]
def beta_nll(mu, var, y, beta):
    """Seitzer et al.'s β-NLL per point: the Gaussian NLL times sg[σ²]^β."""
    nll = 0.5 * (torch.log(var) + (y - mu) ** 2 / var)
    return nll * var.detach() ** beta  # the weight carries no gradient
# --8<-- [end:beta_nll]


# %%
# --8<-- [start:gradient]
y0 = 1.3
y = torch.tensor(y0)
for mu0, var0, beta in itertools.product((0.4, 2.9), (0.37, 2.3), (0.0, 0.3, 0.7, 1.0)):
    mu = torch.tensor(mu0, requires_grad=True)
    var = torch.tensor(var0, requires_grad=True)
    g_mu, g_var = torch.autograd.grad(beta_nll(mu, var, y, beta), (mu, var))
    r = y0 - mu0
    assert abs(g_mu.item() - (-r * var0**beta / var0)) < 1e-12, "∂/∂μ"
    nll_g_var = 0.5 * (1 / var0 - r**2 / var0**2)  # the plain NLL's ∂/∂σ²
    assert abs(g_var.item() - var0**beta * nll_g_var) < 1e-12, "∂/∂σ²"
# --8<-- [end:gradient]

# %%
# --8<-- [start:mse]
mu = torch.tensor(0.4, requires_grad=True)
(g_beta1,) = torch.autograd.grad(beta_nll(mu, torch.tensor(2.3), y, 1.0), mu)
(g_mse,) = torch.autograd.grad(torch.nn.functional.mse_loss(mu, y), mu)
assert torch.isclose(2 * g_beta1, g_mse), "β = 1: half the MSE gradient, any σ²"
# --8<-- [end:mse]

# %%
# --8<-- [start:attenuation]
# At σ² = r², the variance that fits a residual r, how hard does it pull on μ?
pull = {}
for beta in (0.0, 0.5, 1.0):
    pulls = []
    for r in (0.3, 1.7, 4.1):
        mu = torch.tensor(0.0, requires_grad=True)
        (g,) = torch.autograd.grad(beta_nll(mu, torch.tensor(r**2), torch.tensor(r), beta), mu)
        pulls.append(-g.item())
        assert abs(-g.item() - r ** (2 * beta - 1)) < 1e-12, "pull = r^(2β−1)"
    pull[beta] = pulls
assert pull[0.0][0] > pull[0.0][1] > pull[0.0][2], "plain NLL: big residuals pull least"
assert pull[1.0][0] < pull[1.0][1] < pull[1.0][2], "β = 1: big residuals pull most"
# --8<-- [end:attenuation]
pull_nll_small, pull_nll_big = pull[0.0][0], pull[0.0][2]
print({b: [round(p, 3) for p in v] for b, v in pull.items()})
