"""Fitting one Gaussian to a two-mode mixture: forward KL covers both modes, reverse KL picks one once they separate.

Chapter "KL divergence", section "Which direction seeks modes". For
p = ½N(−a, s²) + ½N(a, s²), the Gaussian q = N(μ, σ²) minimising the forward
KL(p ‖ q) (what maximum likelihood does) is μ = 0, σ² = a² + s² at every a. The
one minimising the reverse KL(q ‖ p) (what variational inference does) is found
numerically, by quadrature and gradient descent from several starts, for a/s
from 0 to 4, and the separation where its global minimiser jumps from the centre
to a mode is located on a fine grid. No randomness: everything is deterministic
quadrature.
"""

# %%
import math
import matplotlib.pyplot as plt
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # small tensors: threads only add overhead
s = 0.6  # each component's standard deviation
ratios = torch.linspace(0, 4, 41)  # separations a/s
a = (ratios * s)[:, None]  # (41, 1)
# Gauss–Hermite rule for E over a standard normal, E f(Z) ≈ Σ_k w_k f(x_k): exact for
# the forward KL, whose log q is a quadratic and whose log p is smooth on p's scale s
nodes, weights = (torch.tensor(v) for v in np.polynomial.hermite_e.hermegauss(80))
weights = weights / weights.sum()


def trapezoid(n, half_width=10.0):
    """Trapezoid rule for E f(Z), Z ~ N(0, 1), on n equally spaced points in [−10, 10]."""
    x = torch.linspace(-half_width, half_width, n)
    w = torch.full((n,), 2 * half_width / (n - 1))
    w[0] = w[-1] = half_width / (n - 1)
    return x, w * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)


# The reverse KL needs E_q[log p] under a q that can be 2.6 s wide, where log p bends
# sharply near 0 (over a width s²/a). 80 Gauss–Hermite nodes are too coarse there
# (spacing about 0.35 σ); a fine trapezoid rule, spacing 0.025 σ, is accurate.
t_nodes, t_weights = trapezoid(801)


def log_normal(y, m, sd):
    return -0.5 * ((y - m) / sd) ** 2 - torch.log(torch.as_tensor(sd) * math.sqrt(2 * math.pi))


def log_p(y, a):
    return torch.logaddexp(log_normal(y, -a, s), log_normal(y, a, s)) - math.log(2)


# %%
# --8<-- [start:fits]
def forward_kl(mu, log_sd, a):
    """KL(p ‖ q) = E_p[log p − log q]: the expectation over p is half over each component."""
    a, mu, sd = a[..., None], mu[..., None], log_sd.exp()[..., None]
    kl = 0
    for centre in (-a, a):
        y = centre + s * nodes  # quadrature points of this component
        kl = kl + 0.5 * (weights * (log_p(y, a) - log_normal(y, mu, sd))).sum(-1)
    return kl


def reverse_kl(mu, log_sd, a, rule=(t_nodes, t_weights)):
    """KL(q ‖ p) = E_q[log q] − E_q[log p] = −½ log(2πeσ²) − E_q[log p], y = μ + σ x."""
    x, w = rule
    a, mu, log_sd = a[..., None], mu[..., None], log_sd[..., None]
    y = mu + log_sd.exp() * x
    neg_entropy = -0.5 * math.log(2 * math.pi * math.e) - log_sd[..., 0]
    return neg_entropy - (w * log_p(y, a)).sum(-1)


def fit(kl, mu0, log_sd0, a=a):
    """L-BFGS on (μ, log σ) for every separation and start at once (the sum separates)."""
    mu, log_sd = mu0.clone().requires_grad_(), log_sd0.clone().requires_grad_()
    opt = torch.optim.LBFGS([mu, log_sd], max_iter=500, tolerance_grad=1e-10,
                            tolerance_change=0.0, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = kl(mu, log_sd, a).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return mu.detach(), log_sd.detach(), kl(mu, log_sd, a)


# starts for each separation: on the centre line (narrow and wide), and on a mode
mu0 = torch.cat([torch.zeros(41, 2), a, a], 1)
sd0 = torch.log(torch.tensor([1.0, 3.0, 1.0, 0.5]) * s).expand(41, 4)
f_mu, f_lsd, f_kl = fit(forward_kl, mu0[:, :1], sd0[:, :1])
r_mu, r_lsd, r_kl = fit(reverse_kl, mu0, sd0)
best = r_kl.argmin(1)  # keep the best of the starts: the global minimum found
rev_mu = r_mu[torch.arange(41), best].abs()  # the mixture is symmetric: report |μ|
rev_sd = r_lsd[torch.arange(41), best].exp()
fwd_mu, fwd_sd = f_mu[:, 0], f_lsd[:, 0].exp()
# --8<-- [end:fits]

# %%
# --8<-- [start:checks]
r = ratios
assert (fwd_mu.abs() < 1e-3).all(), "forward: μ = 0 at every separation"
assert torch.allclose(fwd_sd**2, (r * s) ** 2 + s**2, rtol=1e-3), "forward: σ² = a² + s² (moment matching)"
assert rev_mu[0] < 1e-3 and abs(rev_sd[0] - s) < 1e-3, "a = 0: p is Gaussian and both directions recover it"
assert f_kl[0].abs().max() < 1e-10 and r_kl[0].min().abs() < 1e-10, "with KL 0 in both directions"
centred = (r > 0) & (r <= 2.7)  # includes 1 < a/s ≤ 2.7, where p already has two modes
assert (rev_mu[centred] < 1e-3 * s).all(), "0 < a/s ≤ 2.7: the reverse fit sits between the modes"
assert (rev_sd[centred] > s).all(), "and is wider than a component"
assert (rev_mu[r >= 2.9] > 0.95 * r[r >= 2.9] * s).all(), "a/s ≥ 2.9: it jumps to one mode"
separated = r >= 3.0
assert ((rev_mu[separated] - r[separated] * s).abs() < 0.02 * s).all(), "a/s ≥ 3: μ within 0.02 s of a mode"
assert ((rev_sd[separated] / s - 1).abs() < 0.03).all(), "with σ within 3% of s"
assert (rev_sd < fwd_sd + 1e-6).all(), "the reverse fit is never wider than the forward one"
# mass of each fit on the side of the mode the reverse fit ignores (y < 0 when μ > 0)
i3 = int(torch.argmin((r - 3).abs()))
mass_far_rev = 0.5 * (1 + math.erf(-rev_mu[i3].item() / (rev_sd[i3].item() * math.sqrt(2))))
assert mass_far_rev < 5e-3, "at a = 3s the reverse fit puts under 0.5% of its mass on the other side of 0"
# the jump is a change of global minimiser between two local ones
i20 = int(torch.argmin((r - 2.0).abs()))
assert (r_mu[i20].abs() < 1e-3 * s).all(), "a/s = 2: every start, even on a mode, ends on the centre line"
# where the switch happens: both local minima on a fine grid of separations around it
fine = torch.linspace(2.75, 2.85, 101)  # a/s in steps of 0.001
a_fine = (fine * s)[:, None]
c_mu, c_lsd, c_kl = fit(reverse_kl, torch.zeros(101, 1), torch.full((101, 1), math.log(2.5 * s)), a_fine)
m_mu, m_lsd, m_kl = fit(reverse_kl, a_fine, torch.full((101, 1), math.log(s)), a_fine)
assert (c_mu.abs() < 1e-3 * s).all() and (m_mu[:, 0] > 0.95 * a_fine[:, 0]).all(), "two distinct local minima"
gap = (c_kl - m_kl)[:, 0]  # > 0 where the single-mode fit is the global minimum
assert (gap.diff() > 0).all() and gap[0] < 0 < gap[-1], "the gap grows with a and changes sign once"
k = int((gap > 0).nonzero()[0])  # first fine separation with the mode fit below the centred one
a_star = (fine[k - 1] - gap[k - 1] * (fine[k] - fine[k - 1]) / (gap[k] - gap[k - 1])).item()
assert 2.795 < a_star < 2.805, "the global minimiser jumps at a/s = 2.800 ± 0.005"
j28 = int(torch.argmin((fine - 2.8).abs()))
assert gap[j28].abs() < 2e-4, "at a/s = 2.8 the centred and single-mode fits are tied to 2·10⁻⁴ nats"
# the rule is converged: four times as many points changes no fitted KL by 1e-10
fine_rule = trapezoid(3201)
for mu_, lsd_ in ((c_mu, c_lsd), (m_mu, m_lsd)):
    assert (reverse_kl(mu_, lsd_, a_fine, fine_rule) - reverse_kl(mu_, lsd_, a_fine)).abs().max() < 1e-10, \
        "trapezoid rule converged"
# --8<-- [end:checks]
r_switch = r[(rev_mu > 0.5 * r * s) & (r > 0)].min().item()  # first grid separation off the centre
i28 = int(torch.argmin((r - 2.8).abs()))
rev_sd_28 = rev_sd[i28].item() / s
kl_centre_28, kl_mode_28 = c_kl[j28, 0].item(), m_kl[j28, 0].item()
kl_gap_28 = kl_mode_28 - kl_centre_28  # > 0: the centred fit is (just) the global minimum
mode_mu_28, mode_sd_28 = m_mu[j28, 0].item() / s, m_lsd[j28, 0].exp().item() / s
centre_sd_28 = c_lsd[j28, 0].exp().item() / s
i29 = int(torch.argmin((r - 2.9).abs()))
kl_centre_29, kl_mode_29 = r_kl[i29, 0].item(), r_kl[i29, 2].item()
# what 80 Gauss–Hermite nodes (exact for the forward KL) would have said for the centred fit at 2.8
kl_centre_28_gh = reverse_kl(c_mu[j28], c_lsd[j28], a_fine[j28], (nodes, weights)).item()
gh_error_over_gap = (kl_centre_28 - kl_centre_28_gh) / kl_gap_28
fwd_sd_3, rev_sd_3, rev_mu_3 = fwd_sd[i3].item() / s, rev_sd[i3].item() / s, rev_mu[i3].item() / s
rev_kl_3 = r_kl[i3, best[i3]].item()
print(f"switch at a/s = {a_star:.4f}, KL at 2.8: centred {kl_centre_28:.6f}, mode {kl_mode_28:.6f} (GH-80 centred {kl_centre_28_gh:.4f}); at a/s = 3: forward σ/s = {fwd_sd_3:.3f}, reverse μ/s = {rev_mu_3:.3f}, σ/s = {rev_sd_3:.3f}")

# %%
fig, (ax0, ax1, ax2) = plt.subplots(1, 3, num="kl-forward-reverse-separation", figsize=(9, 3.2), layout="constrained")
a3 = (ratios[i3] * s).item()
grid = torch.linspace(-4, 4, 600)
ax0.fill_between(grid, log_p(grid, torch.tensor(a3)).exp(), color="C7", alpha=0.4, label="p (mixture)")
ax0.plot(grid, log_normal(grid, fwd_mu[i3], fwd_sd[i3]).exp(), "C0", label="min KL(p‖q): forward")
ax0.plot(grid, log_normal(grid, rev_mu[i3], rev_sd[i3]).exp(), "C0", ls="--", label="min KL(q‖p): reverse")
ax0.set(xlabel="y", ylabel="density", title=f"a = {ratios[i3].item():.0f}s")
ax0.legend(fontsize=8, loc="upper left")
ax1.plot(ratios, fwd_mu / s, "C0", label="forward")
ax1.plot(ratios, rev_mu / s, "C0", ls="--", marker=".", label="reverse")
ax1.plot(ratios, ratios, "C7", ls=":", label="mode location a")
ax1.set(xlabel="separation a/s", ylabel="fitted |μ| / s")
ax1.legend(fontsize=8)
ax2.plot(ratios, fwd_sd / s, "C0", label="forward: √(a² + s²)")
ax2.plot(ratios, rev_sd / s, "C0", ls="--", marker=".", label="reverse")
ax2.axhline(1, color="C7", ls=":", label="component s")
ax2.set(xlabel="separation a/s", ylabel="fitted σ / s")
ax2.legend(fontsize=8)
plt.show()
