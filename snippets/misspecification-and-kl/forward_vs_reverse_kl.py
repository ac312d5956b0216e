"""Forward KL over Gaussians covers both modes; reverse KL seeks one.

Chapter "Misspecification and KL": fit N(μ, σ²) to the mixture
½N(−2, 0.5²) + ½N(2, 0.5²) by gradient descent on (μ, log σ), once for each
direction of the KL, with every KL computed by quadrature. Forward KL
ends at μ = 0, σ² = 4.25; reverse KL ends on one mode, with KL just below
log 2, or, from a wide start, in a local minimum between the modes.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch

torch.set_default_dtype(torch.float64)

# %%
# --8<-- [start:kls]
A, S = 2.0, 0.5  # p_data = ½ N(−A, S²) + ½ N(A, S²)


def log_p(y):
    """log p_data(y), computed stably with logaddexp."""
    left = -((y + A) ** 2) / (2 * S**2)
    right = -((y - A) ** 2) / (2 * S**2)
    log_norm = 0.5 * math.log(2 * math.pi * S**2) + math.log(2)
    return torch.logaddexp(left, right) - log_norm


# Trapezoid rule on a fine grid: for smooth integrands that decay like
# these, its error is far below 1e-12.
y = torch.linspace(-12.0, 12.0, 1201)  # for expectations under p_data
z = torch.linspace(-12.0, 12.0, 1201)  # for expectations under q
phi = torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
p = log_p(y).exp()
neg_entropy_p = torch.trapezoid(p * log_p(y), y)


def forward_kl(mu, log_sigma):
    """KL(p_data ‖ q) = E_p[log p_data] − E_p[log q], q = N(μ, σ²)."""
    log_q = (
        -0.5 * math.log(2 * math.pi)
        - log_sigma
        - (y - mu) ** 2 / (2 * torch.exp(2 * log_sigma))
    )
    return neg_entropy_p - torch.trapezoid(p * log_q, y)


def reverse_kl(mu, log_sigma):
    """KL(q ‖ p_data) = −H(q) − E_q[log p_data], with y = μ + σz."""
    entropy_q = 0.5 * math.log(2 * math.pi * math.e) + log_sigma
    cross = torch.trapezoid(phi * log_p(mu + torch.exp(log_sigma) * z), z)
    return -entropy_q - cross
# --8<-- [end:kls]


# %%
# --8<-- [start:descend]
def descend(kl, mu0, log_sigma0, lr=0.1, max_step=0.05, steps=1500):
    """Gradient descent on (μ, log σ), steps clipped; returns the path."""
    theta = torch.tensor([mu0, log_sigma0], requires_grad=True)
    path = [theta.detach().clone()]
    for _ in range(steps):
        (grad,) = torch.autograd.grad(kl(theta[0], theta[1]), theta)
        step = lr * grad
        with torch.no_grad():
            theta -= step * min(1.0, max_step / step.norm().item())
        path.append(theta.detach().clone())
    return torch.stack(path)


# two off-centre starts: μ0 = 0.3 breaks the left-right symmetry
starts = {"narrow start": (0.3, math.log(0.4)), "wide start": (0.3, 0.0)}
paths = {
    (kl.__name__, name): descend(kl, *start)
    for kl in (forward_kl, reverse_kl)
    for name, start in starts.items()
}

for name in starts:  # forward KL: one minimum, moment matching
    mu, log_sigma = paths["forward_kl", name][-1]
    sigma2 = math.exp(2 * log_sigma)
    assert abs(mu) < 1e-6, "forward KL: μ = 0, between the modes"
    assert abs(sigma2 - (A**2 + S**2)) < 1e-6, "forward KL: σ² = 4.25"

mu, log_sigma = paths["reverse_kl", "narrow start"][-1]
assert abs(mu - A) < 1e-3, "reverse KL: μ ≈ 2, on one mode"
assert abs(math.exp(log_sigma) - S) < 1e-3, "reverse KL: σ ≈ 0.5"
kl_seek = reverse_kl(mu, log_sigma).item()
# --8<-- [end:descend]

# %% [markdown]
# Why "just below log 2": for q = N(A, S²) exactly, KL(q ‖ p_data) =
# log 2 − E_q[log(1 + e^{−ky})] with k = 2A/S². The expectation is
# positive and at most B (bound log(1 + e^{−u}) by e^{−u} for u ≥ 0 and by
# log 2 − u for u < 0); Φ and φ are the standard normal cdf and pdf.

# %%
# --8<-- [start:log2]
r = A / S  # the modes are 2r = 8 component standard deviations apart
Phi_r = 0.5 * math.erfc(r / math.sqrt(2))  # Φ(−r)
phi_r = math.exp(-(r**2) / 2) / math.sqrt(2 * math.pi)  # φ(r)
B = Phi_r * (1 + math.log(2) - 2 * r**2) + 2 * r * phi_r  # ≈ 1.1e-4
kl_at_mode = reverse_kl(torch.tensor(A), torch.tensor(math.log(S))).item()
assert math.log(2) - B <= kl_at_mode < math.log(2), "the bound on the gap"
assert kl_at_mode - 1e-5 < kl_seek <= kl_at_mode + 1e-12, (
    "the optimum barely improves on N(A, S²)"
)
assert math.log(2) - B - 1e-5 < kl_seek < math.log(2), "reverse KL ≈ log 2"
# the values quoted (the quadrature is exact far below these digits)
assert abs(B - 1.11e-4) < 5e-7, "B = 1.11e-4"
assert abs(math.log(2) - kl_at_mode - 9.35e-5) < 5e-8, "N(A, S²): 9.35e-5"
assert abs(math.log(2) - kl_seek - 9.4e-5) < 5e-7, "optimum: log 2 − 9.4e-5"
# --8<-- [end:log2]

# %% [markdown]
# Reverse KL is not convex: from the wide start, descent stops at a local
# minimum centred between the modes. Its Hessian is positive definite.

# %%
# --8<-- [start:local]
mu, log_sigma = paths["reverse_kl", "wide start"][-1]
kl_stuck = reverse_kl(mu, log_sigma).item()
hess = torch.autograd.functional.hessian(
    lambda t: reverse_kl(t[0], t[1]), torch.stack([mu, log_sigma])
)
assert abs(mu) < 1e-6 and abs(kl_stuck - 1.871) < 1e-3, "stuck at μ = 0"
assert torch.linalg.eigvalsh(hess).min() > 0.1, "a true local minimum"
# whereas a narrow q at the centre is unstable: its curvature in μ is < 0
hess_narrow = torch.autograd.functional.hessian(
    lambda t: reverse_kl(t[0], t[1]), torch.tensor([0.0, math.log(0.4)])
)
assert hess_narrow[0, 0] < 0, "a narrow q slides off the centre"
# On the line μ = 0 the gradient in μ vanishes (by symmetry), so the
# stationary points there are those of KL(0, log σ) in log σ: for σ in
# [0.1, 10] it falls, then rises, with a single turn, at σ ≈ 1.74.
for sigma0 in (0.4, 1.0, 3.0):
    mu0 = torch.tensor(0.0, requires_grad=True)
    log_s0 = torch.tensor(math.log(sigma0))
    (g_mu,) = torch.autograd.grad(reverse_kl(mu0, log_s0), mu0)
    assert abs(g_mu) < 1e-12, "zero gradient in μ at μ = 0"
ls_line = torch.linspace(math.log(0.1), math.log(10.0), 401)
kl_line = torch.vmap(reverse_kl, (None, 0))(torch.tensor(0.0), ls_line)
rising = kl_line.diff() > 0
assert (rising[1:] != rising[:-1]).sum() == 1 and not rising[0], (
    "one stationary point on μ = 0, a minimum"
)
assert abs(ls_line[kl_line.argmin()].exp() - 1.74) < 0.02, "at σ ≈ 1.74"
# --8<-- [end:local]

# %% [markdown]
# Each solution is best under its own divergence and poor under the other.

# %%
fwd_mu, fwd_ls = paths["forward_kl", "narrow start"][-1]
seek_mu, seek_ls = paths["reverse_kl", "narrow start"][-1]
kl_cover = forward_kl(fwd_mu, fwd_ls).item()
assert abs(kl_cover - 0.7236) < 1e-4, "forward KL of the covering fit"
assert abs(reverse_kl(fwd_mu, fwd_ls).item() - 2.098) < 1e-3, "its reverse"
assert abs(forward_kl(seek_mu, seek_ls).item() - 15.3) < 0.1, "seeker's fwd"

# %%
mu_grid = torch.linspace(-3.2, 3.2, 97)
ls_grid = torch.linspace(math.log(0.25), math.log(3.0), 73)
# each KL on the (log σ, μ) grid, vectorised over both axes with vmap
surfaces = {
    kl.__name__: torch.vmap(torch.vmap(kl, (0, None)), (None, 0))(
        mu_grid, ls_grid
    )
    for kl in (forward_kl, reverse_kl)
}

fig, axes = plt.subplots(
    1, 3, figsize=(10, 3.4), num="mis-forward-vs-reverse", layout="constrained"
)
ax = axes[0]
yy = torch.linspace(-5, 5, 801)
ax.fill_between(
    yy, log_p(yy).exp(), color="C7", alpha=0.35, label=r"$p_{\mathrm{data}}$"
)


def gauss(mu, log_sigma):
    s = math.exp(log_sigma)
    return torch.exp(-((yy - mu) ** 2) / (2 * s**2)) / (
        math.sqrt(2 * math.pi) * s)


ax.plot(yy, gauss(fwd_mu, fwd_ls), color="C0", label="forward KL fit")
ax.plot(yy, gauss(seek_mu, seek_ls), color="C0", ls="--",
        label="reverse KL fit")
ax.plot(yy, gauss(*paths["reverse_kl", "wide start"][-1]), color="C0",
        ls=":", label="reverse KL,\nlocal minimum")
ax.set_xlabel("$y$")
ax.set_ylabel("density")
ax.legend(fontsize=8, loc="upper left")
ax.set_ylim(0, 0.95)

P = r"p_{\mathrm{data}}"
for ax, kl, title in [
    (axes[1], "forward_kl", rf"forward: $\mathrm{{KL}}({P}\,\|\,q)$"),
    (axes[2], "reverse_kl", rf"reverse: $\mathrm{{KL}}(q\,\|\,{P})$"),
]:
    surface = surfaces[kl]
    levels = torch.logspace(math.log10(surface.min()), 1.3, 14)
    ax.contour(mu_grid, ls_grid, surface, levels=levels, cmap="viridis",
               linewidths=0.7)
    for name, ls in zip(starts, ["-", "--"]):
        path = paths[kl, name]
        ax.plot(path[:, 0], path[:, 1], color="k", ls=ls, lw=1.2,
                label=name)
        ax.plot(*path[0], "o", color="k", ms=4)
        ax.plot(*path[-1], "*", color="k", ms=9)
    ax.set_title(title)
    ax.set_xlabel(r"$\mu$")
    ax.set_ylabel(r"$\log\sigma$")
axes[1].legend(fontsize=8, loc="lower left")
plt.show()
