"""The Fisher divergence is nearly blind to the weights of well-separated modes, which KL sees at once; noise restores its sight.

Chapter "When a loss is not a likelihood", score matching. Two candidate models
of a 90/10 mixture: one with the weights wrong (50/50), one with the widths
wrong. KL and the Fisher divergence rank them in opposite orders. Adding
Gaussian noise to both sides, as denoising score matching and diffusion do,
puts probability between the modes and the ranking flips back
(Wenliang & Kanagawa, 2020; Song & Ermon, 2019).
"""

# %%
import math

import torch
from torch.distributions import Categorical, MixtureSameFamily, Normal

y = torch.linspace(-20, 20, 8001, dtype=torch.float64)
dy = float(y[1] - y[0])


def mixture(w, width, noise=0.0):
    """w·N(-4, width²) + (1-w)·N(4, width²), convolved with N(0, noise²)."""
    return MixtureSameFamily(
        Categorical(probs=torch.tensor([w, 1 - w], dtype=torch.float64)),
        Normal(torch.tensor([-4.0, 4.0], dtype=torch.float64),
               torch.tensor([width**2 + noise**2] * 2,
                            dtype=torch.float64).sqrt()),
    )


def log_density_and_score(dist):
    yy = y.clone().requires_grad_(True)
    log_d = dist.log_prob(yy)
    return log_d.detach(), torch.autograd.grad(log_d.sum(), yy)[0]


def divergences(p, q):
    """(KL(p‖q), Fisher(p‖q)) by quadrature."""
    (log_p, s_p), (log_q, s_q) = map(log_density_and_score, (p, q))
    dens = log_p.exp()
    kl = torch.trapezoid(dens * (log_p - log_q), dx=dy)
    fisher = 0.5 * torch.trapezoid(dens * (s_p - s_q) ** 2, dx=dy)
    return float(kl), float(fisher)


# %%
# --8<-- [start:blind]
data = mixture(0.9, 1.0)
wrong_weights = mixture(0.5, 1.0)  # right shapes, weights 50/50
wrong_widths = mixture(0.9, 1.2)  # right weights, widths 1.2
kl_w, fisher_w = divergences(data, wrong_weights)
kl_s, fisher_s = divergences(data, wrong_widths)
assert kl_w > 5 * kl_s, "KL: the wrong weights are much the worse model"
assert fisher_w < fisher_s / 5, (
    "Fisher: the wrong weights look much the better model"
)
# The modes barely overlap, so each divergence is nearly that of its
# parts: KL between the weights, Bernoulli(0.9) vs (0.5); KL and Fisher
# between N(0, 1) and N(0, 1.2²) for the widths; and no Fisher divergence
# at all for the weights, whose scores differ only in the empty gap.
assert math.isclose(kl_w, 0.9 * math.log(0.9 / 0.5)
                    + 0.1 * math.log(0.1 / 0.5), rel_tol=1e-3), (
    "wrong weights: KL ≈ KL(Bernoulli(0.9) ‖ Bernoulli(0.5))"
)
assert math.isclose(kl_s, math.log(1.2) + 1 / (2 * 1.2**2) - 0.5,
                    rel_tol=1e-3), "wrong widths: KL ≈ KL(N(0,1) ‖ N(0,1.44))"
assert math.isclose(fisher_s, 0.5 * (1 - 1 / 1.2**2) ** 2, rel_tol=1e-2), (
    "wrong widths: Fisher ≈ ½ E[(y - y/1.44)²] = ½ (1 - 1/1.44)²"
)
assert 1e-4 <= fisher_w < 1e-3, "wrong weights: Fisher divergence ~1e-4"
fisher_w_e4 = fisher_w * 1e4  # quoted as "… × 10⁻⁴"
# --8<-- [end:blind]
print(f"wrong weights: KL {kl_w:.4f}  Fisher {fisher_w:.2e}")
print(f"wrong widths:  KL {kl_s:.4f}  Fisher {fisher_s:.2e}")

# %% [markdown]
# Smooth all three with the same Gaussian noise, σ = 3. The noisy densities
# overlap, the scores now differ where there is mass, and the Fisher
# divergence ranks the two models as KL does.

# %%
# --8<-- [start:noise]
sigma = 3.0
_, fisher_w_noisy = divergences(mixture(0.9, 1.0, sigma),
                                mixture(0.5, 1.0, sigma))
_, fisher_s_noisy = divergences(mixture(0.9, 1.0, sigma),
                                mixture(0.9, 1.2, sigma))
assert fisher_w_noisy > fisher_s_noisy, (
    "with noise, Fisher also calls the wrong weights the worse model"
)
# --8<-- [end:noise]
print(f"noisy Fisher: weights {fisher_w_noisy:.2e}  widths",
      f"{fisher_s_noisy:.2e}")
