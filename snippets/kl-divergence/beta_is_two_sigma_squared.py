"""Sum of squares plus β·KL is the Gaussian-decoder negative ELBO with σ² = β/2; mean-MSE plus KL sets σ² = D/2.

Chapter "KL divergence", section "β = 2σ²". With a decoder N(x̂(z), σ²I) on D
pixels, −ELBO = E_q‖x − x̂‖²/(2σ²) + (D/2) log 2πσ² + KL(q(z|x) ‖ p(z)).
Multiplying by 2σ² gives E_q‖x − x̂‖² + 2σ²·KL plus a constant, so the loss
SSE + β·KL is this negative ELBO, rescaled, at σ² = β/2. Checked on a random
linear decoder, with one reparameterised draw of z, at two generic β.
"""

# %%
import math
import torch
from torch.distributions import Normal, kl_divergence

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
B, D, d = 16, 25, 3  # batch, pixels, latent dimensions
x = torch.rand(B, D)
mu, log_var = torch.randn(B, d), 0.4 * torch.randn(B, d)
W, b = torch.randn(d, D), torch.rand(D)
eps = torch.randn(B, d)  # one reparameterised draw, shared by every loss below


def parts(mu, log_var):
    """Per-example sum of squared errors and KL to N(0, I) for one draw of z."""
    z = mu + (0.5 * log_var).exp() * eps
    x_hat = z @ W + b
    sse = ((x - x_hat) ** 2).sum(-1)
    kl = kl_divergence(Normal(mu, (0.5 * log_var).exp()), Normal(0.0, 1.0)).sum(-1)
    return x_hat, sse, kl


# %%
# --8<-- [start:beta]
def neg_elbo(mu, log_var, sigma2):
    """−ELBO per example (one draw), with the Gaussian decoder's full log-density."""
    x_hat, _, kl = parts(mu, log_var)
    nll = -Normal(x_hat, math.sqrt(sigma2)).log_prob(x).sum(-1)
    return nll + kl


for beta in (0.37, 2.6):
    sigma2 = beta / 2
    _, sse, kl = parts(mu, log_var)
    loss = sse + beta * kl
    const = D * sigma2 * math.log(2 * math.pi * sigma2)  # 2σ² · (D/2) log 2πσ²
    assert torch.allclose(loss, 2 * sigma2 * neg_elbo(mu, log_var, sigma2) - const, atol=1e-10), "SSE + βKL = 2σ²(−ELBO) − c"
# --8<-- [end:beta]

# %%
# --8<-- [start:mean_mse]
_, sse, kl = parts(mu, log_var)
mean_mse_loss = ((x - parts(mu, log_var)[0]) ** 2).mean(-1) + kl  # per-pixel mean, summed KL
assert torch.allclose(mean_mse_loss, (sse + D * kl) / D, atol=1e-12), "mean-MSE + KL = (SSE + D·KL)/D"
sigma2_implied = D / 2  # β = D, so σ² = D/2
const = D * sigma2_implied * math.log(2 * math.pi * sigma2_implied)
assert torch.allclose(mean_mse_loss, (2 * sigma2_implied * neg_elbo(mu, log_var, sigma2_implied) - const) / D, atol=1e-10), "σ² = D/2"
# --8<-- [end:mean_mse]

# %%
# Same gradients up to the scale 2σ²: the two objectives train the same model.
mu_, lv_ = mu.clone().requires_grad_(), log_var.clone().requires_grad_()
beta = 0.37
_, sse, kl = parts(mu_, lv_)
g_loss = torch.autograd.grad((sse + beta * kl).sum(), (mu_, lv_))
g_elbo = torch.autograd.grad(neg_elbo(mu_, lv_, beta / 2).sum(), (mu_, lv_))
assert all(torch.allclose(a, beta * g, atol=1e-10) for a, g in zip(g_loss, g_elbo)), "gradients ∝ with factor 2σ² = β"
print("SSE + β·KL = 2σ²·(−ELBO) − const at σ² = β/2; mean-MSE + KL has σ² = D/2 =", sigma2_implied)
