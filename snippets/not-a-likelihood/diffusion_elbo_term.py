"""Each ELBO term of a diffusion model is a KL between Gaussians that equals a weighted ε-MSE plus a constant.

Chapter "When a loss is not a likelihood", diffusion as a weighted ELBO (Ho et
al., 2020, eq. 12; Kingma et al., 2021). The reverse model is a Gaussian noise
model per step, p_θ(y_{t−1} | y_t) = N(μ_θ, σ_t²); with μ_θ written through a
noise predictor eps_hat, its KL to the true posterior is
w_t (ε − eps_hat)² + C_t. L_simple keeps the MSE and sets every w_t to 1.
"""

# %%
import torch
from torch.distributions import Normal, kl_divergence

SEED = 0
torch.manual_seed(SEED)
T = 1000
beta = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)  # Ho et al.
alpha = 1 - beta
abar = torch.cumprod(alpha, 0)
# steps t = 2..T (index 1..T-1), each with its own y0, ε and eps_hat
b, a, ab, ab_prev = beta[1:], alpha[1:], abar[1:], abar[:-1]
y0 = torch.randn(T - 1, dtype=torch.float64) * 2
eps = torch.randn(T - 1, dtype=torch.float64)
eps_hat = eps + 0.3 * torch.randn(T - 1, dtype=torch.float64)
y_t = ab.sqrt() * y0 + (1 - ab).sqrt() * eps

# %%
# --8<-- [start:kl]
# the true posterior q(y_{t-1} | y_t, y0) = N(mu_tilde, beta_tilde)
mu_tilde = (ab_prev.sqrt() * b / (1 - ab)) * y0 + (
    a.sqrt() * (1 - ab_prev) / (1 - ab)) * y_t
beta_tilde = (1 - ab_prev) / (1 - ab) * b
# That this is the posterior, by Gaussian conditioning. Run the forward process
# y_s = √α_s y_{s-1} + √β_s ξ_s step by step from y_0 (without the ᾱ closed
# form): given y_0, y_s has mean k_s y_0 and variance v_s.
k = [torch.ones((), dtype=torch.float64)]
v = [torch.zeros((), dtype=torch.float64)]
for s in range(T):  # alpha[s], beta[s] are α_{s+1}, β_{s+1}
    k.append(alpha[s].sqrt() * k[-1])
    v.append(alpha[s] * v[-1] + beta[s])
k, v = torch.stack(k), torch.stack(v)  # index s = 0..T
# Joint of (y_{t-1}, y_t) given y_0: means k_{t-1} y_0 and √α_t k_{t-1} y_0,
# variances v_{t-1} and α_t v_{t-1} + β_t, covariance √α_t v_{t-1}.
m1, var1, cov = k[1:T] * y0, v[1:T], a.sqrt() * v[1:T]
m2, var2 = a.sqrt() * m1, a * var1 + b
cond_mean = m1 + cov / var2 * (y_t - m2)  # condition on y_t
cond_var = var1 - cov**2 / var2
assert torch.allclose(var2, 1 - ab, rtol=1e-11), "step by step = closed form"
assert torch.allclose(cond_mean, mu_tilde, rtol=1e-9, atol=1e-12) and (
    torch.allclose(cond_var, beta_tilde, rtol=1e-9)), (
    "N(mu_tilde, beta_tilde) is q(y_{t-1} | y_t, y0), by Gaussian conditioning"
)
assert torch.allclose(
    mu_tilde, (y_t - b / (1 - ab).sqrt() * eps) / a.sqrt()), (
    "the posterior mean, written with the true noise ε"
)
# the model: the same form with eps_hat in place of ε
mu_theta = (y_t - b / (1 - ab).sqrt() * eps_hat) / a.sqrt()
w_max = {}
for name, var in (("beta", b), ("beta_tilde", beta_tilde)):  # Ho's σ_t²
    kl = kl_divergence(Normal(mu_tilde, beta_tilde.sqrt()),
                       Normal(mu_theta, var.sqrt()))
    w = b**2 / (2 * var * a * (1 - ab))
    C = 0.5 * (torch.log(var / beta_tilde) + beta_tilde / var - 1)
    # mu_tilde and mu_theta are computed from y0 and from y_t, so their
    # difference carries float64 round-off of about 1e-16 × |y_t|: hence
    # a relative 1e-7 with an absolute floor of 1e-9, not machine precision.
    assert torch.allclose(kl, C + w * (eps - eps_hat) ** 2,
                          rtol=1e-7, atol=1e-9), (
        "KL term = C_t + w_t (ε - eps_hat)²: a weighted ε-MSE"
    )
    w_max[name] = float(w.max())
# Every ELBO weight is below 1, so Σ_t (ε - eps_hat)² ≥ Σ_t w_t (ε - eps_hat)²:
# T·L_simple plus the end terms and Σ C_t is a looser upper bound on -log p(y0).
w_max_beta, w_max_beta_tilde = w_max["beta"], w_max["beta_tilde"]
assert w_max_beta < 1 and w_max_beta_tilde < 1, "every w_t < 1"
# --8<-- [end:kl]

# %% [markdown]
# With σ_t² = beta_tilde the constant vanishes and the weight is a function
# of the signal-to-noise ratio SNR = ᾱ/(1 − ᾱ) alone:
# w_t = ½(SNR_{t−1}/SNR_t − 1),
# about ½ Δlog SNR for small steps, the uniform weighting in log-SNR that
# Kingma & Gao call the ELBO. L_simple replaces it by 1.

# %%
# --8<-- [start:weights]
snr = abar / (1 - abar)
w_elbo = b**2 / (2 * beta_tilde * a * (1 - ab))
assert torch.allclose(w_elbo, 0.5 * (snr[:-1] / snr[1:] - 1), rtol=1e-9), (
    "w_t = ½ (SNR_{t-1}/SNR_t - 1)"
)
dlog = (snr[:-1] / snr[1:]).log()  # Δ log SNR of each step, all < 1
rel = (w_elbo - 0.5 * dlog) / (0.5 * dlog)
assert (dlog < 1).all() and (rel >= 0).all() and (rel <= dlog).all(), (
    "w_t = ½ Δlog SNR · (1 + r) with 0 ≤ r ≤ Δlog SNR"
)
w_min, w_2 = float(w_elbo.min()), float(w_elbo[0])
dlog_2 = float(dlog[0])  # t = 2: the largest step in log-SNR
half_dlog_2 = 0.5 * dlog_2
assert round(w_min, 3) == 0.005, "smallest weight 0.005"
assert w_2 == w_max_beta_tilde, "the largest weight is w_2"
# Uniform in log-SNR only for small steps: at t = 2, Δlog SNR = 0.79.
assert round(w_2, 2) == 0.60, "w_2 = 0.60"
assert round(half_dlog_2, 2) == 0.39 and dlog_2 == dlog.max(), (
    "but ½ Δlog SNR_2 = 0.39, and that is the largest step"
)
# --8<-- [end:weights]

# %% [markdown]
# L_simple weights every step by 1, so relative to the ELBO it weights
# step t by 1/w_t. Kingma & Gao's bound needs that relative weight to be
# non-decreasing in t (non-increasing in log-SNR). On this schedule it
# is not: it rises up to t = 350 and falls after.

# %%
# --8<-- [start:simple]
rel_simple = 1 / w_elbo  # index i is step t = i + 2
peak = int(rel_simple.argmax()) + 2
rises = (rel_simple.diff()[: peak - 2] > 0).all()
falls = (rel_simple.diff()[peak - 2:] < 0).all()
assert peak == 350 and rises and falls, (
    "L_simple's weight relative to the ELBO rises to t = 350, then falls"
)
# --8<-- [end:simple]
print(f"ELBO weights w_t from {w_elbo.min():.4f} to {w_elbo.max():.3f};",
      f"median Δlog SNR {dlog.median():.4f}, largest {dlog.max():.3f}")
