"""A prior N(0, α⁻¹I) costs (α/2)‖θ‖², and its ridge weight is σ²α, not α.

Chapter "MLE vs MAP", erratum: the note this site grew from writes
-log p(θ) = λ‖θ‖² for the prior N(0, λ⁻¹I) and adds it to an unscaled sum of
squares. Here α is the note's λ (a prior precision). The snippet checks the ½, the constant, and
which ridge weight the true MAP has: σ²α, not the note's α.
"""

# %%
import math

import numpy as np
import torch
from torch.distributions import Normal

torch.set_default_dtype(torch.float64)
SEED = 1
rng = np.random.default_rng(SEED)
N, D = 30, 3
X = torch.tensor(rng.normal(size=(N, D)))
sigma = 0.5  # likelihood noise standard deviation
alpha = 4.0  # prior precision: θ ~ N(0, α⁻¹I), the note's "λ"
y = X @ torch.tensor([1.0, -2.0, 0.5]) + sigma * torch.tensor(
    rng.normal(size=N)
)

# %%
# --8<-- [start:prior]
prior = Normal(0.0, alpha**-0.5)
for _ in range(5):
    th = torch.tensor(rng.normal(size=D))
    neg_log_prior = -prior.log_prob(th).sum()
    assert torch.isclose(
        neg_log_prior,
        alpha / 2 * th @ th + D / 2 * math.log(2 * math.pi / alpha),
        rtol=1e-12,
    ), "-log N(θ | 0, α⁻¹I) = (α/2)‖θ‖² + (D/2) log(2π/α)"
    th.requires_grad_()
    grad = torch.autograd.grad(-prior.log_prob(th).sum(), th)[0]
    assert torch.allclose(grad, alpha * th), "its gradient is αθ"
    assert not torch.allclose(grad, 2 * alpha * th), "not 2αθ (no ½)"
# --8<-- [end:prior]

# %% [markdown]
# Minimise the full negative log posterior numerically and compare it with
# ridge at three candidate weights: σ²α (right), α (the note's objective
# ‖y - Xθ‖² + α‖θ‖²) and 2σ²α (the note's prior with the correct NLL).

# %%
# --8<-- [start:weight]
def ridge(weight):
    """argmin ½‖y - Xθ‖² + (weight/2)‖θ‖²."""
    return torch.linalg.solve(X.T @ X + weight * torch.eye(D), X.T @ y)


theta = torch.zeros(D, requires_grad=True)
opt = torch.optim.LBFGS(
    [theta], max_iter=200, tolerance_grad=1e-13,
    tolerance_change=1e-15, line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = (
        -Normal(X @ theta, sigma).log_prob(y).sum()
        - prior.log_prob(theta).sum()
    )
    loss.backward()
    return loss


opt.step(closure)
theta_map = theta.detach()
right, note, note_prior = sigma**2 * alpha, alpha, 2 * sigma**2 * alpha
assert torch.allclose(theta_map, ridge(right), rtol=0, atol=1e-8), (
    "the MAP is ridge with weight σ²α"
)
for wrong in (note, note_prior):
    assert (theta_map - ridge(wrong)).abs().max() > 1e-2, (
        f"weight {wrong} gives a different estimate"
    )
# --8<-- [end:weight]
print(f"weights: right σ²α = {right}, note α = {note}, 2σ²α = {note_prior}")
for w in (right, note, note_prior):
    print(w, ridge(w).numpy().round(4))
print("MAP", theta_map.numpy().round(4))
