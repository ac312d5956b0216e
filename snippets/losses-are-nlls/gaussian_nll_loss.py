"""GaussianNLLLoss is the Gaussian NLL with a learned variance; it takes the variance, not σ.

Chapter "Losses are negative log-likelihoods", second row of the table. The
network outputs two parameters, a mean and a variance. The asserts pin down the
three gotchas of `nn.GaussianNLLLoss`: its third argument is σ², `full=True` is
what adds the ½ log 2π, and the `eps` clamp on the variance is invisible to
autograd.
"""

# %%
import math

import torch
from torch import nn
from torch.distributions import Normal

SEED = 0
torch.manual_seed(SEED)
y = torch.randn(500, dtype=torch.float64) * 2.0
mu = torch.randn(500, dtype=torch.float64)  # network output 1: the mean
# network output 2: the variance σ²
var = torch.rand(500, dtype=torch.float64) + 0.5

# %%
# --8<-- [start:variance]
# Normal takes the standard deviation
exact = -Normal(mu, var.sqrt()).log_prob(y)

full = nn.GaussianNLLLoss(full=True, reduction="none")(mu, y, var)
assert torch.allclose(full, exact), (
    "full=True is the exact Gaussian NLL, given the variance"
)

default = nn.GaussianNLLLoss(reduction="none")(mu, y, var)
assert torch.allclose(default, exact - 0.5 * math.log(2 * math.pi)), (
    "default drops ½ log 2π"
)

wrong = nn.GaussianNLLLoss(full=True, reduction="none")(mu, y, var.sqrt())
assert not torch.allclose(wrong, exact), (
    "passing σ where σ² is expected is a different model"
)
# --8<-- [end:variance]

# %% [markdown]
# Below `eps` the variance is clamped, but under `torch.no_grad()`: the gradient
# is the one at `var = eps`, passed straight through to the tiny variance.

# %%
# --8<-- [start:clamp]
eps = 1e-6
tiny = torch.tensor([1e-9], dtype=torch.float64, requires_grad=True)
loss = nn.GaussianNLLLoss(eps=eps)(
    torch.zeros(1, dtype=torch.float64),
    torch.full((1,), 0.3, dtype=torch.float64),
    tiny,
)
(grad,) = torch.autograd.grad(loss, tiny)
r2 = 0.09  # the squared residual 0.3²
assert torch.isclose(
    loss, torch.tensor(0.5 * (math.log(eps) + r2 / eps), dtype=torch.float64)
), "below eps the loss is the one at var = eps"
assert torch.isclose(
    grad, torch.tensor(0.5 * (1 / eps - r2 / eps**2), dtype=torch.float64)
), "clamp is straight-through: the gradient at var = eps"
# --8<-- [end:clamp]

# %% [markdown]
# A variance head. A network's raw output a is any real number, so the head
# maps it to a positive variance itself, here σ² = softplus(a) + floor with
# floor ≥ eps. Then the clamp never acts and autograd's gradient is the
# derivative of the loss that is reported. Feeding a raw variance below eps
# instead gives a loss that does not change with the variance while autograd
# still reports a gradient.

# %%
# --8<-- [start:head]
floor = 1e-4  # ≥ eps, so GaussianNLLLoss never clamps
raw = torch.tensor([-800.0, -20.0, -3.0, 0.0, 2.5], dtype=torch.float64)
var_head = nn.functional.softplus(raw) + floor
assert (var_head >= floor).all() and (var_head > eps).all(), "positive, floored"


def head_loss(a):
    var_a = nn.functional.softplus(a) + floor
    return nn.GaussianNLLLoss(eps=eps, reduction="sum")(
        torch.zeros_like(a), torch.full_like(a, 0.3), var_a
    )


a = raw.clone().requires_grad_()
(grad_head,) = torch.autograd.grad(head_loss(a), a)
h = 1e-6
finite_diff = torch.stack(
    [
        (head_loss(raw + h * e) - head_loss(raw - h * e)) / (2 * h)
        for e in torch.eye(len(raw), dtype=torch.float64)
    ]
)
assert torch.allclose(grad_head, finite_diff, rtol=1e-5, atol=1e-9), (
    "softplus + floor: autograd's gradient is the loss's derivative"
)
# a raw variance below eps: the reported loss is flat in it, autograd is not
below = lambda v: nn.GaussianNLLLoss(eps=eps)(  # noqa: E731
    torch.zeros(1, dtype=torch.float64),
    torch.full((1,), 0.3, dtype=torch.float64),
    v,
)
flat = (below(tiny.detach() * 2) - below(tiny.detach())).item()
assert flat == 0.0 and grad.item() != 0.0, (
    "below eps the loss is flat in var, but autograd reports a slope"
)
# --8<-- [end:head]

# %% [markdown]
# With the variance free, the NLL is minimised at σ² = (y − μ)² for each point:
# that is what makes a learned variance chase the residual.

# %%
v = torch.logspace(-3, 2, 5001, dtype=torch.float64)
r = 1.3
per_point = 0.5 * (torch.log(v) + r**2 / v)
assert torch.isclose(
    v[per_point.argmin()], torch.tensor(r**2, dtype=torch.float64), rtol=3e-3
), "one point's NLL is smallest at var = r²"
print(
    f"minimising variance for residual {r}: {v[per_point.argmin()]:.4f} (r² = {r**2:.4f})"
)
