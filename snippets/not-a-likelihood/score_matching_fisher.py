"""Score matching minimises the Fisher divergence, not KL: without a normaliser it fits a different model than MLE does.

Chapter "When a loss is not a likelihood", score matching (Hyvärinen, 2005).
The model is an unnormalised density q_θ(y) ∝ exp(−θ₁y²/2 − θ₂y⁴/4), whose
score −θ₁y − θ₂y³ needs no normaliser. Integration by parts turns the Fisher
divergence into an objective that needs neither the normaliser nor the data's
score. On bimodal data, its minimiser is not the maximum-likelihood fit.
"""

# %%
import matplotlib.pyplot as plt
import torch
from torch.distributions import Categorical, MixtureSameFamily, Normal

SEED = 0
y = torch.linspace(-8, 8, 4001, dtype=torch.float64)
dy = float(y[1] - y[0])
p_dist = MixtureSameFamily(  # the data: two modes at ±2, σ = 0.5
    Categorical(probs=torch.tensor([0.5, 0.5], dtype=torch.float64)),
    Normal(
        torch.tensor([-2.0, 2.0], dtype=torch.float64),
        torch.tensor([0.5, 0.5], dtype=torch.float64),
    ),
)
yy = y.clone().requires_grad_(True)
log_p = p_dist.log_prob(yy)
score_p = torch.autograd.grad(log_p.sum(), yy)[0]  # ∇ log p_data
p = log_p.detach().exp()


def E(f):
    """Expectation under p_data, by quadrature."""
    return torch.trapezoid(p * f, dx=dy)


def score(theta):  # ∇ log q_θ(y): the normaliser has dropped out
    return -theta[0] * y - theta[1] * y**3


def score_slope(theta):  # its derivative in y
    return -theta[0] - 3 * theta[1] * y**2


# %%
# --8<-- [start:identity]
def fisher(theta):
    """F(p‖q_θ) = ½ E_p[(∇log q_θ − ∇log p)²]: needs the data's score."""
    return 0.5 * E((score(theta) - score_p) ** 2)


def score_matching(theta):
    """Hyvärinen's J(θ) = E_p[½ s_θ² + s_θ′]: needs only samples of p."""
    return E(0.5 * score(theta) ** 2 + score_slope(theta))


constant = 0.5 * E(score_p**2)
torch.manual_seed(SEED)
for theta in torch.randn(20, 2, dtype=torch.float64) * 2:
    assert torch.isclose(
        score_matching(theta), fisher(theta) - constant, atol=1e-9
    ), "J(θ) = F(p‖q_θ) − ½E_p[(∇log p)²]: same minimiser, no normaliser"
# --8<-- [end:identity]

# %% [markdown]
# The score is linear in θ, so J is quadratic and its minimiser solves a
# 2 × 2 linear system. MLE needs the normaliser Z(θ): we get it by quadrature.

# %%
# --8<-- [start:two-fits]
phi = torch.stack([-y, -(y**3)], dim=1)  # s_θ = φ θ
dphi = torch.stack([-torch.ones_like(y), -3 * y**2], dim=1)  # s_θ′
A = torch.stack([E(phi[:, i] * phi[:, j]) for i in range(2)
                 for j in range(2)]).reshape(2, 2)
b = torch.stack([E(dphi[:, i]) for i in range(2)])
theta_sm = torch.linalg.solve(A, -b)  # argmin J = argmin Fisher


def log_q(theta):  # normalised by quadrature: MLE cannot do without it
    energy = theta[0] * y**2 / 2 + theta[1] * y**4 / 4
    log_Z = torch.logsumexp(-energy, 0) + torch.log(torch.tensor(dy))
    return -energy - log_Z


def kl(theta):
    return E(log_p.detach() - log_q(theta))


# MLE = min KL(p‖q_θ); parametrise θ₂ = exp(u) > 0 so q_θ normalises
u = torch.tensor([0.0, 0.0], dtype=torch.float64, requires_grad=True)
opt = torch.optim.LBFGS([u], max_iter=200, tolerance_grad=1e-12,
                        tolerance_change=0, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = kl(torch.stack([u[0], u[1].exp()]))
    loss.backward()
    return loss


opt.step(closure)
theta_ml = torch.stack([u[0], u[1].exp()]).detach()
assert theta_sm[1] > 0, "the score-matching fit is a normalisable density"
assert fisher(theta_sm) < 0.8 * fisher(theta_ml), (
    "score matching wins on the Fisher divergence"
)
assert kl(theta_ml) < 0.8 * kl(theta_sm), "MLE wins on KL"
assert (theta_sm - theta_ml).abs().max() > 0.2, "they are different fits"
# --8<-- [end:two-fits]

# %% [markdown]
# Each fit is checked by its own optimality condition, not by how it was
# computed: the gradient of the Fisher divergence (10), which uses the
# data's score, vanishes at θ_SM; and the MLE of an exponential family
# matches moments, E_q[y²] = E_p[y²] and E_q[y⁴] = E_p[y⁴].

# %%
# --8<-- [start:optimality]
th = theta_sm.clone().requires_grad_(True)
(grad_fisher,) = torch.autograd.grad(fisher(th), th)
assert grad_fisher.abs().max() < 1e-9, "θ_SM is a stationary point of F"
q_ml = log_q(theta_ml).exp()
for k in (2, 4):
    assert torch.isclose(torch.trapezoid(q_ml * y**k, dx=dy), E(y**k),
                         rtol=1e-6), "θ_ML matches the moments E[y²], E[y⁴]"
theta_sm_1, theta_sm_2 = float(theta_sm[0]), float(theta_sm[1])
theta_ml_1, theta_ml_2 = float(theta_ml[0]), float(theta_ml[1])
fisher_sm, fisher_ml = float(fisher(theta_sm)), float(fisher(theta_ml))
kl_sm, kl_ml = float(kl(theta_sm)), float(kl(theta_ml))
# The two fitted scores differ by -Δθ₁ y - Δθ₂ y³: zero at y = 0 and where
# y² = -Δθ₁/Δθ₂, and growing like y³ beyond.
d1, d2 = theta_sm_1 - theta_ml_1, theta_sm_2 - theta_ml_2
y_cross = (-d1 / d2) ** 0.5
peak_ml = (-theta_ml_1 / theta_ml_2) ** 0.5  # where the MLE fit's density peaks
# --8<-- [end:optimality]
print(f"θ_SM = ({theta_sm_1:.3f}, {theta_sm_2:.3f}),",
      f"θ_ML = ({theta_ml_1:.3f}, {theta_ml_2:.3f})")
print(f"Fisher: SM {fisher_sm:.4f}  MLE {fisher_ml:.4f}")
print(f"KL:     SM {kl_sm:.4f}  MLE {kl_ml:.4f}; scores cross at ±{y_cross:.2f}")

# %%
show = y.abs() <= 4
fig, (ax_d, ax_s) = plt.subplots(
    1, 2, figsize=(8, 3.2), num="nal-fisher-vs-kl", layout="constrained"
)
ax_d.fill_between(y[show], p[show], color="C7", alpha=0.35,
                  label="$p_{\\mathrm{data}}$")
fits = [(theta_ml, "-", "MLE (min KL)"),
        (theta_sm, "--", "score matching (min Fisher)")]
for theta, ls, name in fits:
    ax_d.plot(y[show], log_q(theta).exp()[show], color="k", ls=ls,
              label=name)
ax_d.set(xlabel="$y$", ylabel="density", ylim=(0, 0.62),
         title="Two fits from one family")
ax_d.legend(fontsize=8, loc="upper center")
ax_s.plot(y[show], score_p[show], color="C7", lw=2.5,
          label="$\\nabla\\log p_{\\mathrm{data}}$")
for theta, ls, name in fits:
    ax_s.plot(y[show], score(theta)[show], color="k", ls=ls, label=name)
ax_s.set(xlabel="$y$", ylabel="score $\\nabla_y \\log$ density",
         ylim=(-12, 12), title="What score matching compares")
ax_s.legend(fontsize=8, loc="lower left")
plt.show()
