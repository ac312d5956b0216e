"""KL is the Fisher divergence integrated over Gaussian noise levels: KL(p‖q) − KL(p_T‖q_T) = ∫₀ᵀ F(p_t‖q_t) dt.

Chapter "When a loss is not a likelihood", score matching and diffusion. With
p_t = p ∗ N(0, t), de Bruijn's identity gives d/dt KL(p_t‖q_t) = −F(p_t‖q_t)
(Lyu, 2009). So one noise level's Fisher divergence is local information, and
the integral over all noise levels is a likelihood quantity; this is why
score matching across noise levels can be weighted into an ELBO.
"""

# %%
import math

import torch

y = torch.linspace(-60, 60, 6001, dtype=torch.float64)[:, None]
dy = float(y[1, 0] - y[0, 0])
modes = torch.tensor([-4.0, 4.0], dtype=torch.float64)


def log_density_and_score(w, width, t):
    """w·N(-4, width²) + (1-w)·N(4, width²) blurred by N(0, t), for a row
    of noise levels t: log density and score on the y grid (closed form)."""
    var = width**2 + t[None, :, None]  # (1, n_t, 1)
    log_w = torch.log(torch.tensor([w, 1 - w], dtype=torch.float64))
    comp = log_w - 0.5 * torch.log(2 * math.pi * var) - (
        (y[:, :, None] - modes) ** 2 / (2 * var))  # (n_y, n_t, 2)
    log_p = torch.logsumexp(comp, dim=2)
    resp = torch.softmax(comp, dim=2)
    score = (resp * -(y[:, :, None] - modes) / var).sum(dim=2)
    return log_p, score


def kl_and_fisher(q, t):
    log_p, s_p = log_density_and_score(0.9, 1.0, t)  # the data
    log_q, s_q = log_density_and_score(*q, t)
    dens = log_p.exp()
    kl = torch.trapezoid(dens * (log_p - log_q), dx=dy, dim=0)
    fisher = 0.5 * torch.trapezoid(dens * (s_p - s_q) ** 2, dx=dy, dim=0)
    return kl, fisher


# %%
# --8<-- [start:integral]
T = 100.0
u = torch.linspace(math.log(1e-6), math.log(T), 201, dtype=torch.float64)
ends = torch.tensor([0.0, T], dtype=torch.float64)
found = {}
for q in ((0.5, 1.0), (0.9, 1.2)):  # (weight, width): wrong weights, widths
    (kl_0, kl_T), (fisher_0, _) = kl_and_fisher(q, ends)
    # ∫ F dt with t = e^u, dt = t du; below t = 1e-6 add F(0)·1e-6
    _, f_t = kl_and_fisher(q, u.exp())
    integral = torch.trapezoid(f_t * u.exp(), u) + fisher_0 * 1e-6
    print(f"q = {q}: KL {kl_0:.4f}, KL at t=T {kl_T:.4f},",
          f"∫F dt {integral:.4f}, F at t=0 {fisher_0:.2e}")
    assert torch.isclose(kl_0 - kl_T, integral, rtol=1e-3), (
        "KL(p‖q) - KL(p_T‖q_T) = ∫_0^T F(p_t‖q_t) dt"
    )
    # At t = T both blurred mixtures are nearly Gaussian, so KL_T is close
    # to the KL between Gaussians with the same means and variances.
    mean_p, mean_q = 0.9 * -4 + 0.1 * 4, q[0] * -4 + (1 - q[0]) * 4
    var_p, var_q = 1 + 16 - mean_p**2 + T, q[1] ** 2 + 16 - mean_q**2 + T
    kl_gauss = 0.5 * (math.log(var_q / var_p) + var_p / var_q
                      + (mean_p - mean_q) ** 2 / var_q - 1)
    assert math.isclose(kl_T, kl_gauss, rel_tol=1e-2), (
        "KL_T ≈ the KL between moment-matched Gaussians"
    )
    found[q] = float(kl_0), float(kl_T), float(integral), float(fisher_0)
# the wrong-weights model, quoted on the page
kl_0_w, kl_T_w, integral_w, fisher_0_w = found[0.5, 1.0]
assert 1e-4 <= fisher_0_w < 1e-3, "F(p‖q) at t = 0 is of order 1e-4"
fisher_0_w_e4 = fisher_0_w * 1e4  # quoted as "… × 10⁻⁴"
# --8<-- [end:integral]

# %% [markdown]
# Where does the integral come from, for the wrong-weights model? Count the
# modes of the blurred densities, and split ∫F dt at a few noise levels.


# %%
def n_modes(w, t):
    """Local maxima of w·N(-4, 1+t) + (1-w)·N(4, 1+t) on the grid."""
    _, s = log_density_and_score(
        w, 1.0, torch.tensor([t], dtype=torch.float64))
    return int(((s[:-1, 0] > 0) & (s[1:, 0] <= 0)).sum())


# --8<-- [start:where]
q = (0.5, 1.0)  # the wrong weights
_, (fisher_0, _) = kl_and_fisher(q, ends)
_, f_t = kl_and_fisher(q, u.exp())
total = torch.trapezoid(f_t * u.exp(), u) + fisher_0 * 1e-6
share = {}
for t_from in (1.0, 5.0, 15.0):  # the share of ∫_0^T F dt from t ≥ t_from
    v = torch.linspace(math.log(t_from), math.log(T), 201,
                       dtype=torch.float64)
    share[t_from] = float(torch.trapezoid(kl_and_fisher(q, v.exp())[1]
                                          * v.exp(), v) / total)
share_1, share_5, share_15 = share[1.0], share[5.0], share[15.0]
print("share of ∫F dt from t ≥ 1, 5, 15:",
      ", ".join(f"{x:.3f}" for x in share.values()))
assert n_modes(0.9, 4.5) == 2 and n_modes(0.9, 5.0) == 1, (
    "p_t (weights 0.9/0.1) has one mode from t ≈ 5 on"
)
assert n_modes(0.5, 14.5) == 2 and n_modes(0.5, 15.5) == 1, (
    "q_t (weights 0.5/0.5) has one mode only from t = 15 on (8 ≤ 2√(1+t))"
)
assert share[1.0] > 0.99, "almost none of ∫F dt comes from t < 1"
assert 0.81 < share[5.0] < 0.82, "81.5% from t ≥ 5, p_t unimodal"
assert 0.455 < share[15.0] < 0.465, "46% from t ≥ 15, q_t unimodal"
# --8<-- [end:where]
