"""Tweedie's formula: the MSE-optimal denoiser is E[y | ỹ] = ỹ + σ² ∇log p_σ(ỹ).

Chapter "When a loss is not a likelihood", denoising score matching (Robbins,
1956; Efron, 2011). The clean y comes from a 1-D Gaussian mixture and
ỹ = y + σε. Three independent computations of the posterior mean agree: the
conjugate formula per mixture component, direct quadrature, and Tweedie's
formula with the score of the closed-form noisy density p_σ.
"""

# %%
import torch
from torch.distributions import Categorical, MixtureSameFamily, Normal

weights = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
means = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64)
stds = torch.tensor([0.4, 0.6, 0.3], dtype=torch.float64)


def p_sigma(sigma):
    """The density of ỹ = y + σε: each component's variance grows by σ²."""
    return MixtureSameFamily(
        Categorical(probs=weights),
        Normal(means, (stds**2 + sigma**2).sqrt()),
    )


y_noisy = torch.linspace(-5, 6, 221, dtype=torch.float64)  # values of ỹ

# %%
# --8<-- [start:tweedie]
for sigma in (0.3, 1.0, 2.0):
    # 1. Conjugate posterior: responsibilities times per-component means.
    var_k = stds**2 + sigma**2
    log_r = torch.log(weights) + Normal(means, var_k.sqrt()).log_prob(
        y_noisy[:, None])
    resp = torch.softmax(log_r, dim=1)
    post_k = means + stds**2 / var_k * (y_noisy[:, None] - means)
    posterior_mean = (resp * post_k).sum(dim=1)

    # 2. Tweedie: ỹ + σ² × the score of p_σ, by autograd.
    yt = y_noisy.clone().requires_grad_(True)
    score = torch.autograd.grad(p_sigma(sigma).log_prob(yt).sum(), yt)[0]
    tweedie = y_noisy + sigma**2 * score
    assert torch.allclose(posterior_mean, tweedie, atol=1e-10), (
        "E[y | ỹ] = ỹ + σ² ∇log p_σ(ỹ)"
    )

    # 3. Brute force: E[y | ỹ] = ∫ y p(y) N(ỹ; y, σ²) dy / ∫ p(y) N(...) dy
    y = torch.linspace(-8, 9, 17001, dtype=torch.float64)
    prior = MixtureSameFamily(Categorical(probs=weights),
                              Normal(means, stds)).log_prob(y).exp()
    joint = prior * Normal(y, sigma).log_prob(y_noisy[:, None]).exp()
    brute = torch.trapezoid(joint * y, y) / torch.trapezoid(joint, y)
    assert torch.allclose(brute, tweedie, atol=1e-6), (
        "Tweedie agrees with the posterior mean by quadrature"
    )
# --8<-- [end:tweedie]
print("max |posterior mean - Tweedie| =",
      f"{(posterior_mean - tweedie).abs().max():.1e}")
