"""A small denoising step has a nearly Gaussian reverse kernel even when the data are bimodal; one big step does not.

Chapter "When a loss is not a likelihood", diffusion keeps a Gaussian noise
model where it is accurate (Sohl-Dickstein et al., 2015; Ho et al., 2020). For
a two-mode y₀ and the linear schedule, the exact reverse kernel
q(y_s | y_t) is a mixture of Gaussians in closed form. Its KL to the best
Gaussian (the moment-matched one) is tiny for one step of 1000 and large for
a jump straight back to the data. DDPM's fixed variances add a larger error.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch

T = 1000
beta = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
# abar[0] = 1 is the clean data; abar[t] = ∏_{i ≤ t} (1 − β_i)
abar = torch.cat([torch.ones(1, dtype=torch.float64),
                  torch.cumprod(1 - beta, 0)])
weights = torch.tensor([0.5, 0.5], dtype=torch.float64)
means = torch.tensor([-2.0, 2.0], dtype=torch.float64)
var0 = torch.tensor([0.25, 0.25], dtype=torch.float64)


def reverse_kernel(s, t, y_t):
    """q(y_s | y_t), s < t, for a vector of y_t: each row holds the
    weights, means and variances of the kernel's two components."""
    y_t = y_t[:, None]
    m_s = abar[s].sqrt() * means  # p_s = Σ w N(m_s, v_s)
    v_s = abar[s] * var0 + 1 - abar[s]
    a2 = abar[t] / abar[s]  # y_t = √a2 · y_s + √(1 − a2) · ξ
    b2 = 1 - a2
    evidence = v_s * a2 + b2  # variance of y_t under component k
    log_w = torch.log(weights) - 0.5 * (
        torch.log(2 * math.pi * evidence) + (y_t - a2.sqrt() * m_s) ** 2
        / evidence)
    post_v = (1 / (1 / v_s + a2 / b2)).expand(len(y_t), 2)
    post_m = post_v * (m_s / v_s + a2.sqrt() * y_t / b2)
    return torch.softmax(log_w, 1), post_m, post_v


def moments(w, m, v):
    mean = (w * m).sum(1)
    return mean, (w * (v + m**2)).sum(1) - mean**2


def kl_to_best_gaussian(s, t, y_t, n=4001):
    """KL(q ‖ N(mean_q, var_q)) = H(Gaussian) − H(q), by quadrature, for
    each y_t. The moment-matched Gaussian is the best Gaussian."""
    w, m, v = reverse_kernel(s, t, y_t)
    mean, var = moments(w, m, v)
    u = mean[:, None] + var.sqrt()[:, None] * torch.linspace(
        -12, 12, n, dtype=torch.float64)
    q = (w[:, None] * torch.exp(-(u[:, :, None] - m[:, None]) ** 2
                                / (2 * v[:, None]))
         / torch.sqrt(2 * math.pi * v[:, None])).sum(2)
    entropy_q = -torch.trapezoid(q * torch.log(q.clamp_min(1e-300)), u)
    return 0.5 * torch.log(2 * math.pi * math.e * var) - entropy_q


def kl_to_fixed_variance(s, t, y_t, var_fixed):
    """KL(q ‖ N(mean_q, σ²)) for a fixed σ², as in DDPM: the KL to the
    moment-matched Gaussian plus KL(N(0, var_q) ‖ N(0, σ²))."""
    _, var = moments(*reverse_kernel(s, t, y_t))
    r = var / var_fixed
    return kl_to_best_gaussian(s, t, y_t) + 0.5 * (r - 1 - torch.log(r))


# %%
# --8<-- [start:kernel]
t = int((abar - 0.5).abs().argmin())  # the step where ᾱ_t ≈ 0.5
y_ts = torch.linspace(-3, 3, 61, dtype=torch.float64)
jumps = [1, 3, 10, 30, 100, 200, t]  # denoise from t back to s = t − jump
worst = [float(kl_to_best_gaussian(t - jump, t, y_ts).max())
         for jump in jumps]
print(f"t = {t}, ᾱ_t = {abar[t]:.3f}")
for jump, kl in zip(jumps, worst):
    print(f"  jump {jump:4d} steps: worst KL to a Gaussian {kl:.2e}")
worst_step, worst_jump, abar_t = worst[0], worst[-1], float(abar[t])
assert 1e-7 <= worst_step < 1e-6, "one step of 1000: Gaussian to KL 1e-6"
worst_step_e7 = worst_step * 1e7  # quoted as "… × 10⁻⁷"
assert worst_jump > 0.5, "one jump back to the data: far from Gaussian"
for s_back, kl in ((t - 1, worst_step), (0, worst_jump)):  # 5× finer
    kl_fine = float(kl_to_best_gaussian(s_back, t, y_ts, n=20001).max())
    assert math.isclose(kl_fine, kl, rel_tol=1e-3), "quadrature converged"
assert all(k0 < k1 for k0, k1 in zip(worst, worst[1:])), (
    "the bigger the step, the worse a Gaussian reverse step"
)
# --8<-- [end:kernel]

# %% [markdown]
# "Gaussian" above means the best Gaussian for each y_t, whose variance
# depends on y_t. DDPM fixes the variance instead, σ_t² = β_t or the
# posterior variance beta_tilde_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t), and pays
# for it.

# %%
# --8<-- [start:fixed]
best = {}
for step in (5, 50, t):  # one step back from y_step
    best[step] = float(kl_to_best_gaussian(step - 1, step, y_ts).max())
    print(f"t={step}, best Gaussian: worst KL {best[step]:.1e}")
    assert best[step] < 1e-4, f"t={step}: one step is Gaussian in form"
fixed = {}
for step in (5, t):
    b = beta[step - 1]  # beta[0] is β_1
    b_tilde = b * (1 - abar[step - 1]) / (1 - abar[step])
    for name, var in (("beta", b), ("beta_tilde", b_tilde)):
        fixed[step, name] = float(
            kl_to_fixed_variance(step - 1, step, y_ts, var).max())
        print(f"t={step}, σ² = {name}: worst KL {fixed[step, name]:.2e}")
assert 1e-4 < fixed[t, "beta"] < 1.5e-4, "t=259, σ² = β_t: 1.4e-4"
assert 2e-4 < fixed[t, "beta_tilde"] < 2.2e-4, "t=259, beta_tilde: 2.1e-4"
assert 2.5e-2 < fixed[5, "beta_tilde"] < 2.7e-2, "t=5, beta_tilde: 2.6e-2"
assert fixed[5, "beta"] < 1e-4, "t=5, σ² = β_t: still below 1e-4"
assert all(kl > 10 * best[step] for (step, _), kl in fixed.items()), (
    "fixing the variance costs more than the kernel's non-Gaussianity"
)
fixed_t_beta, fixed_t_beta_tilde = fixed[t, "beta"], fixed[t, "beta_tilde"]
fixed_5_beta, fixed_5_beta_tilde = fixed[5, "beta"], fixed[5, "beta_tilde"]
# quoted as "… × 10⁻⁴" and "… × 10⁻²"; the asserts above fix the exponents
fixed_t_beta_e4 = fixed_t_beta * 1e4
fixed_t_beta_tilde_e4 = fixed_t_beta_tilde * 1e4
fixed_5_beta_tilde_e2 = fixed_5_beta_tilde * 1e2
# --8<-- [end:fixed]

# %%
fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.1), num="nal-reverse-kernel",
                         layout="constrained")
for ax, jump in zip(axes[:2], (1, t)):
    w, m, v = reverse_kernel(t - jump, t,
                             torch.zeros(1, dtype=torch.float64))
    mean, var = moments(w, m, v)
    w, m, v, mean, sd = w[0], m[0], v[0], mean[0], var[0].sqrt()
    if jump == 1:
        shown_halfwidth = float(4 * sd)  # the left panel spans mean ± 4 sd
    else:
        peak_jump = float(m.abs().max())  # the jump kernel's two peaks
    u = torch.linspace(float(mean - 4 * sd), float(mean + 4 * sd), 801,
                       dtype=torch.float64)
    q = (w * torch.exp(-(u[:, None] - m) ** 2 / (2 * v))
         / torch.sqrt(2 * math.pi * v)).sum(1)
    gauss = torch.exp(-(u - mean) ** 2 / (2 * sd**2)) / (
        sd * math.sqrt(2 * math.pi))
    ax.fill_between(u, q, color="C7", alpha=0.4,
                    label="exact $q(y_s\\mid y_t)$")
    ax.plot(u, gauss, color="C0", label="best Gaussian")
    ax.set(xlabel="$y_s$", ylabel="density",
           title=f"From $y_t = 0$, {jump} step{'s' if jump > 1 else ''}"
           + (" (to $y_0$)" if jump == t else ""))
axes[1].set_ylim(0, 0.6)
axes[1].legend(fontsize=8, loc="upper right")
axes[2].loglog(jumps, worst, "o-", color="k")
axes[2].set(xlabel="steps in one jump", ylabel="worst KL to a Gaussian",
            title=f"Reverse kernel from $t={t}$")
plt.show()
