"""At the optimal discriminator the GAN objective equals 2·JSD(p_data‖p_g) − log 4, a divergence that saturates where the NLL keeps growing.

Chapter "When a loss is not a likelihood", GANs (Goodfellow et al., 2014,
Theorem 1). The discriminator's loss is a Bernoulli NLL of the synthetic label
"real or generated"; what the generator is left to minimise is a
Jensen-Shannon divergence, not the NLL of the data. Checked on 1-D densities by
quadrature.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch.distributions import Categorical, MixtureSameFamily, Normal

y = torch.linspace(-12, 24, 3601, dtype=torch.float64)
dy = float(y[1] - y[0])
# p_data: two modes at ±2 with σ = 0.5; the generator: N(m, 1)
p_data_dist = MixtureSameFamily(
    Categorical(probs=torch.tensor([0.5, 0.5], dtype=torch.float64)),
    Normal(
        torch.tensor([-2.0, 2.0], dtype=torch.float64),
        torch.tensor([0.5, 0.5], dtype=torch.float64),
    ),
)
p_data = p_data_dist.log_prob(y).exp()


def integral(f):
    return float(torch.trapezoid(f, dx=dy))


def kl(p, q):
    """KL(p‖q) by quadrature, with 0·log 0 = 0."""
    ratio = torch.where(p > 0, p / q, torch.ones_like(p))
    return integral(p * torch.log(ratio))


def jsd(p, q):
    m = (p + q) / 2
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


# %%
# --8<-- [start:discriminator]
def train_discriminator(p, q):
    """Minimise the discriminator's BCE: label 1 on p_data, 0 on p_g.

    The logit is linear in four features, a family that contains
    log(p_data / p_g) for these densities; expectations are quadratures.
    """
    feats = torch.stack(
        [torch.ones_like(y), y, y**2, torch.log(torch.cosh(8 * y))], dim=1
    )
    feats = feats / feats.abs().max(dim=0).values  # for the optimiser
    w = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [w], max_iter=1000, tolerance_grad=1e-13,
        tolerance_change=0, line_search_fn="strong_wolfe",
    )

    def bce():  # E_p[-log D] + E_q[-log(1 - D)]
        logit = feats @ w
        real = F.binary_cross_entropy_with_logits(
            logit, torch.ones_like(y), weight=p * dy, reduction="sum")
        fake = F.binary_cross_entropy_with_logits(
            logit, torch.zeros_like(y), weight=q * dy, reduction="sum")
        return real + fake

    def closure():
        opt.zero_grad()
        loss = bce()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return torch.sigmoid(feats @ w), float(bce())


for m in (0.0, 1.0, 3.0):
    p_g = Normal(m, 1.0).log_prob(y).exp()
    D, loss = train_discriminator(p_data, p_g)
    where = (p_data + p_g) > 1e-3
    D_star = p_data / (p_data + p_g)
    assert torch.allclose(D[where], D_star[where], atol=1e-4), (
        "the trained discriminator is D* = p_data / (p_data + p_g)"
    )
    V = -loss  # V(D, G) = E_p[log D] + E_q[log(1 - D)]
    assert math.isclose(V, 2 * jsd(p_data, p_g) - math.log(4),
                        abs_tol=1e-6), "V(D*, G) = 2 JSD - log 4"
# --8<-- [end:discriminator]

# %% [markdown]
# Move the generator away from the data. The NLL of the data under p_g,
# i.e. KL(p_data‖p_g) plus the entropy of p_data, keeps growing like m²/2.
# The GAN objective at D* saturates at 0, i.e. JSD → log 2, and gives the
# generator no direction.

# %%
# --8<-- [start:saturation]
shifts = torch.linspace(0, 10, 41, dtype=torch.float64)
log_p_data = p_data_dist.log_prob(y)  # p_data itself underflows far out
gan, fwd_kl = [], []
for m in shifts:
    log_g = Normal(float(m), 1.0).log_prob(y)
    p_g = log_g.exp()
    gan.append(2 * jsd(p_data, p_g) - math.log(4))
    fwd_kl.append(kl(p_data, p_g))
gan = torch.tensor(gan, dtype=torch.float64)
fwd_kl = torch.tensor(fwd_kl, dtype=torch.float64)
assert (gan >= -math.log(4)).all() and (gan <= 1e-12).all(), (
    "-log 4 ≤ V(D*, G) ≤ 0"
)
assert gan[-1] > -1e-6 and gan[-1] - gan[-5] < 1e-4, (
    "far from the data the GAN objective is flat at 0 (JSD = log 2)"
)
assert fwd_kl[-1] > 40 and fwd_kl[-1] - fwd_kl[-5] > 8, (
    "while KL(p_data‖p_g), the NLL's divergence, keeps growing"
)
kl_fwd_0, kl_fwd_10 = float(fwd_kl[0]), float(fwd_kl[-1])
# --8<-- [end:saturation]

# %% [markdown]
# Which N(m, 1) does each divergence prefer? The grid above is too coarse
# to say, so take steps of 0.01, in log space so nothing underflows.

# %%
# --8<-- [start:optima]
fine = torch.arange(0, 401, dtype=torch.float64) / 100  # m from 0 to 4
log_g = Normal(fine[:, None], 1.0).log_prob(y)  # one row per m
log_mix = torch.logaddexp(log_p_data, log_g) - math.log(2)
two_jsd = torch.trapezoid(p_data * (log_p_data - log_mix)
                          + log_g.exp() * (log_g - log_mix), dx=dy, dim=1)
rev = torch.trapezoid(log_g.exp() * (log_g - log_p_data), dx=dy, dim=1)
fwd = torch.trapezoid(p_data * (log_p_data - log_g), dx=dy, dim=1)
m_jsd, m_rev = float(fine[two_jsd.argmin()]), float(fine[rev.argmin()])
two_jsd_min, two_jsd_0 = float(two_jsd.min()), float(two_jsd[0])
assert torch.allclose(two_jsd[::25], gan[:17] + math.log(4), atol=1e-9), (
    "the log-space 2 JSD agrees with the coarse grid above"
)
# KL(p_data‖p_g) sits between the modes (mode covering); the JSD and the
# reverse KL sit near a mode, in practically the same place.
assert fine[fwd.argmin()] == 0, "KL's best generator: m = 0, between modes"
assert 1.5 < m_jsd < 2 and 1.5 < m_rev < 2, "JSD and reverse KL: near m = 2"
assert abs(m_jsd - m_rev) <= 0.05, "the two optima practically coincide"
assert two_jsd_min < two_jsd_0 - 0.1, "the JSD prefers a mode to m = 0"
# --8<-- [end:optima]

# %% [markdown]
# The generator loss used in practice, E_{p_g}[−log D*] (the
# "non-saturating" loss), with D* held fixed at the current generator, has
# the gradient of KL(p_g‖p_data) − 2·JSD (Arjovsky & Bottou, 2017,
# Theorem 2.5). The gradients agree; the values do not.

# %%
# --8<-- [start:nonsaturating]
def reverse_kl_minus_2jsd(m):
    log_g = Normal(m, 1.0).log_prob(y)
    log_mix = torch.logaddexp(log_p_data, log_g) - math.log(2)
    rev = torch.trapezoid(log_g.exp() * (log_g - log_p_data), dx=dy)
    two_jsd = torch.trapezoid(log_g.exp() * (log_g - log_mix)
                              + p_data * (log_p_data - log_mix), dx=dy)
    return rev - two_jsd


for m0 in (1.0, 3.0):
    m = torch.tensor(m0, dtype=torch.float64, requires_grad=True)
    log_g0 = Normal(m0, 1.0).log_prob(y)
    minus_log_D = F.softplus(log_g0 - log_p_data)  # -log D*, held fixed
    non_sat = torch.trapezoid(
        Normal(m, 1.0).log_prob(y).exp() * minus_log_D, dx=dy)
    divergence = reverse_kl_minus_2jsd(m)
    (g_ns,) = torch.autograd.grad(non_sat, m)
    (g_div,) = torch.autograd.grad(divergence, m)
    assert math.isclose(float(g_ns), float(g_div), rel_tol=1e-8), (
        "grad E_pg[-log D*] = grad [KL(p_g‖p_data) - 2 JSD]"
    )
    gap = float((non_sat - divergence).detach())
    assert gap > 0.5, "but the values differ"
# --8<-- [end:nonsaturating]
print(f"at m=10: 2JSD - log4 = {gan[-1]:.2e}, KL = {fwd_kl[-1]:.1f}")
print(f"best m: JSD {m_jsd:.2f} (2 JSD = {two_jsd_min:.4f}),",
      f"reverse KL {m_rev:.2f}; 2 JSD at m = 0: {two_jsd_0:.4f}")

# %%
m_show = 3.0
p_g = Normal(m_show, 1.0).log_prob(y).exp()
show = (y > -5) & (y < 7)
D_show = p_data / (p_data + p_g)
d_star_right = float(D_show[(y > 1) & (y < 3)].max())  # over the right mode
fig, (ax_d, ax_v) = plt.subplots(1, 2, figsize=(8, 3.2), num="nal-gan-jsd",
                                 layout="constrained")
ax_d.fill_between(y[show], p_data[show], color="C7", alpha=0.35,
                  label="$p_{\\mathrm{data}}$")
ax_d.plot(y[show], p_g[show], color="C0", label=f"$p_g = N({m_show:g}, 1)$")
ax_d.plot(y[show], D_show[show], color="C5",
          label="$D^* = p_{\\mathrm{data}}/(p_{\\mathrm{data}}+p_g)$")
ax_d.set(xlabel="$y$", ylabel="density, or $D^*(y)$",
         title="The optimal discriminator", ylim=(0, 1.55))
ax_d.legend(fontsize=8, loc="upper right")
ax_v.plot(shifts, gan + math.log(4), color="C5",
          label="$2\\,\\mathrm{JSD} = V(D^*,G) + \\log 4$")
ax_v.plot(shifts, fwd_kl, color="k", ls="--",
          label="$\\mathrm{KL}(p_{\\mathrm{data}}\\,\\|\\,p_g)$")
ax_v.axhline(math.log(4), color="C5", lw=0.8, ls=":",
             label="$\\log 4$: the ceiling of $2\\,\\mathrm{JSD}$")
ax_v.set(xlabel="generator mean $m$", ylabel="divergence (log scale)",
         yscale="log", ylim=(0.3, 800), title="JSD saturates, KL does not")
ax_v.legend(fontsize=8, loc="upper left")
plt.show()
