"""GaussianNLLLoss takes the variance, clamps it at eps with a straight-through gradient, and is picky about shapes.

Chapter "Mean squared error", section "In torch". Each gotcha is shown with
the wrong call's number next to the right one: σ passed where σ² belongs; a
variance below `eps` (the value uses eps, the gradient passes straight
through); `full=True` adds ½ log 2π to every element; `reduction='none'` keeps
the input's shape and 'mean' averages over every element, not per sample;
and the variance shapes it accepts and rejects.
"""

# %%
import math

import torch
import torch.nn.functional as F
from torch.distributions import Normal

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
N, D = 5, 3
mu = torch.randn(N, D)
y = torch.randn(N, D)
half_log_2pi = 0.5 * math.log(2 * math.pi)

# %%
# --8<-- [start:variance]
sigma = torch.full((N, D), 0.6)  # a standard deviation
truth = -Normal(mu, sigma).log_prob(y).mean().item()
right = F.gaussian_nll_loss(mu, y, sigma**2, full=True).item()  # the variance
wrong = F.gaussian_nll_loss(mu, y, sigma, full=True).item()  # σ where σ² belongs
# --8<-- [end:variance]
assert abs(right - truth) < 1e-12, "GaussianNLLLoss(μ, y, σ²) is the NLL"
as_if_var = -Normal(mu, sigma.sqrt()).log_prob(y).mean().item()
assert abs(wrong - as_if_var) < 1e-12, "passing σ scores a Gaussian of variance σ"

# %%
# --8<-- [start:clamp]
eps = 1e-6  # the default
r = 0.8
var = torch.tensor([1e-8], requires_grad=True)  # below eps
loss = F.gaussian_nll_loss(torch.tensor([0.0]), torch.tensor([r]), var, eps=eps)
(grad_var,) = torch.autograd.grad(loss, var)
grad_clamped = grad_var.item()
value_at_eps = 0.5 * (math.log(eps) + r**2 / eps)
grad_at_eps = 0.5 * (1 / eps - r**2 / eps**2)  # d/dv ½(log v + r²/v) at v = eps
grad_at_var = 0.5 * (1 / 1e-8 - r**2 / 1e-8**2)
# --8<-- [end:clamp]
assert abs(loss.item() / value_at_eps - 1) < 1e-12, "the value is computed at eps"
assert abs(grad_clamped - grad_at_eps) < 1e-9 * abs(grad_clamped), "the gradient too, straight through"
assert grad_clamped != 0.0, "not the zero gradient a real clamp would give"
assert abs(grad_clamped / grad_at_var) < 1e-3, "nor the gradient at the real var"

# %%
# --8<-- [start:full]
var = torch.rand(N, D) + 0.1
per_elem_full = F.gaussian_nll_loss(mu, y, var, full=True, reduction="none")
per_elem = F.gaussian_nll_loss(mu, y, var, reduction="none")
assert per_elem.shape == (N, D), "'none' keeps the input's shape, (N, D)"
assert torch.allclose(per_elem_full - per_elem, torch.full((N, D), half_log_2pi)), "½log2π each"
mean_loss = F.gaussian_nll_loss(mu, y, var, reduction="mean")
per_sample = per_elem.sum(dim=1)  # the NLL of each D-dimensional target
assert torch.isclose(mean_loss * D, per_sample.mean()), "'mean' divides by N·D, not N"
# --8<-- [end:full]

# %%
# --8<-- [start:shapes]
def accepted(var):
    """Whether F.gaussian_nll_loss takes this var for an (N, D) input."""
    try:
        F.gaussian_nll_loss(mu, y, var)
        return True
    except ValueError:  # "var is of incorrect size"
        return False


ok_shapes = {(N, D): True, (N, 1): True, (N,): True, (1, D): True,
             (1, 1): False, (D,): False, (): False}
for shape, expected in ok_shapes.items():
    assert accepted(torch.rand(shape) + 0.1) == expected, f"var of shape {shape}"
assert accepted(0.7), "a Python float is accepted"
v = torch.rand(N) + 0.1  # shape (N,): one variance per sample, not per feature
per_sample_var = F.gaussian_nll_loss(mu, y, v.unsqueeze(1))
assert torch.equal(F.gaussian_nll_loss(mu, y, v), per_sample_var), "(N,) is read as (N, 1)"
img, img_target = torch.randn(4, 3, 8, 8), torch.randn(4, 3, 8, 8)
per_channel = torch.rand(4, 3, 1, 1) + 0.1  # broadcastable, yet rejected:
try:
    F.gaussian_nll_loss(img, img_target, per_channel)
    rejected_4d = False
except ValueError:
    rejected_4d = True
assert rejected_4d, "(N, C, 1, 1) against (N, C, H, W) raises ValueError"
fixed = F.gaussian_nll_loss(img, img_target, per_channel.expand_as(img))  # the fix
by_hand = (0.5 * (per_channel.log() + (img - img_target) ** 2 / per_channel)).mean()
assert torch.isclose(fixed, by_hand), "expand_as gives the broadcast NLL"
# --8<-- [end:shapes]
try:
    F.gaussian_nll_loss(mu, y, 1)  # var=1, a Python int rather than 1.0
    int_var_error = "none"
except TypeError:  # from torch.any inside the shape check, not a ValueError
    int_var_error = "TypeError"
assert int_var_error == "TypeError", "an int var raises TypeError in torch 2.13"
assert torch.isclose(F.gaussian_nll_loss(mu, y, 1.0), 0.5 * ((mu - y) ** 2).mean()), \
    "var=1.0 is the halved squared error"
print(f"NLL {truth:.4f}; with σ² {right:.4f}; with σ by mistake {wrong:.4f}")
print(f"var 1e-8 < eps: value at eps {loss.item():.6g}, d/dvar {grad_clamped:.6g}")
