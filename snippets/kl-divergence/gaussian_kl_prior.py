"""The Gaussian-to-standard-normal KL in closed form, against torch and Monte Carlo.

Chapter "KL divergence", section on the VAE. For q = N(μ, diag σ²) and the prior
N(0, I), KL(q ‖ p) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²) (Kingma & Welling, 2014,
Appendix B). It is checked against `torch.distributions.kl_divergence` and
against a Monte Carlo average of log q(z) − log p(z) over draws of q.
"""

# %%
import torch
from torch.distributions import Normal, kl_divergence

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
B, d = 4, 3
mu = 1.1 * torch.randn(B, d)
log_var = 0.7 * torch.randn(B, d) - 0.3  # generic variances, none near 1

# %%
# --8<-- [start:closed]
closed = 0.5 * (mu**2 + log_var.exp() - 1 - log_var).sum(-1)  # one KL per example
q = Normal(mu, (0.5 * log_var).exp())
prior = Normal(torch.zeros(d), torch.ones(d))
by_torch = kl_divergence(q, prior).sum(-1)
assert torch.allclose(closed, by_torch, atol=1e-12), "closed form = kl_divergence summed over dims"
# --8<-- [end:closed]

# %%
# --8<-- [start:mc]
M = 200_000
z = q.sample((M,))  # (M, B, d)
log_ratio = (q.log_prob(z) - prior.log_prob(z)).sum(-1)  # log q(z) − log p(z), (M, B)
mc, se = log_ratio.mean(0), log_ratio.std(0) / M**0.5
assert ((mc - closed).abs() < 5 * se).all(), "Monte Carlo agrees within 5 standard errors"
assert (5 * se < 0.1 * closed).all(), "and the check is tight: 5 s.e. under 10% of the KL"
# --8<-- [end:mc]
kl_ex0, mc_ex0, se_ex0 = closed[0].item(), mc[0].item(), se[0].item()
print(f"example 0: closed {kl_ex0:.4f}, Monte Carlo {mc_ex0:.4f} ± {se_ex0:.4f}")
