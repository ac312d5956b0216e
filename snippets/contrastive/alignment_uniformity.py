"""Alignment is 0 exactly when positive pairs coincide; uniformity is 0 for collapsed features and lowest for evenly spread ones.

Chapter "Contrastive loss (InfoNCE)". The two properties of Wang & Isola
(2020), with their defaults α = 2 and t = 2, computed exactly as their code
does: alignment over positive pairs, uniformity over distinct pairs (pdist).
"""

# %%
import math

import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)


# %%
# --8<-- [start:define]
def alignment(za, zb, alpha=2):
    """L_align = E_(x,y)~pos ||f(x) − f(y)||_2^α."""
    return (za - zb).norm(dim=1).pow(alpha).mean()


def uniformity(z, t=2):
    """L_uniform = log E_(x,y) iid exp(−t ||f(x) − f(y)||_2²), over i < j."""
    return torch.pdist(z).pow(2).mul(-t).exp().mean().log()
# --8<-- [end:define]


# %%
# --8<-- [start:alignment]
za = F.normalize(torch.randn(500, 16), dim=1)
zb = F.normalize(za + 0.3 * torch.randn(500, 16), dim=1)
assert alignment(za, za) == 0, "identical positives: alignment exactly 0"
assert alignment(za, zb) > 0, "any positive pair that differs: alignment > 0"
# on the unit sphere ||a − b||² = 2 − 2 a·b: alignment is 2 − 2 mean cosine
assert torch.isclose(alignment(za, zb), 2 - 2 * (za * zb).sum(1).mean()), (
    "α = 2 alignment = 2 − 2 × mean cosine similarity of positives"
)
# --8<-- [end:alignment]

# %% [markdown]
# Uniformity. On the circle S¹, two independent uniform points at angle θ
# apart have ||x − y||² = 2 − 2 cos θ, so E e^{−t||x−y||²} = e^{−2t} I₀(2t)
# and L_uniform = −2t + log I₀(2t), which is −4 + log I₀(4) at t = 2. On the
# sphere S², cos θ is uniform on [−1, 1] (Archimedes), so
# L_uniform = log((1 − e^{−4t}) / (4t)).

# %%
# --8<-- [start:uniformity]
T = 2
circle_exact = -2 * T + math.log(torch.special.i0(torch.tensor(2.0 * T)))
sphere_exact = math.log((1 - math.exp(-4 * T)) / (4 * T))
u_circle = uniformity(F.normalize(torch.randn(4000, 2), dim=1))
u_sphere = uniformity(F.normalize(torch.randn(4000, 3), dim=1))
collapsed = F.normalize(torch.randn(1, 3), dim=1).expand(4000, 3)
u_collapsed = uniformity(collapsed)
assert abs(u_circle - circle_exact) < 0.01, "uniform on S¹: −4 + log I₀(4)"
assert abs(u_sphere - sphere_exact) < 0.01, "uniform on S²: log((1−e⁻⁸)/8)"
assert u_collapsed == 0, "collapsed features: exactly 0, the largest value"
# --8<-- [end:uniformity]

# %% [markdown]
# For a finite set of n points on the circle, the regular n-gon spreads them
# most evenly. No random configuration beats it, and gradient descent on the
# points' angles from a random start lands on its value.

# %%
# --8<-- [start:polygon]
n = 12


def on_circle(angle):
    return torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)


u_polygon = uniformity(on_circle(2 * math.pi * torch.arange(n) / n))
random_sets = [uniformity(on_circle(2 * math.pi * torch.rand(n)))
               for _ in range(200)]
assert u_polygon < min(random_sets), "the n-gon beats every random set"
angle = (2 * math.pi * torch.rand(n)).requires_grad_()
opt = torch.optim.SGD([angle], lr=0.5)
for _ in range(1500):
    opt.zero_grad()
    uniformity(on_circle(angle)).backward()
    opt.step()
u_descent = uniformity(on_circle(angle)).item()
assert abs(u_descent - u_polygon) < 1e-6, "descent reaches the n-gon's value"
# the mean over i < j leaves out the self-pairs (kernel 1), so an evenly
# spread finite set scores below the population value
assert u_polygon < circle_exact, "the n-gon is below the population value"
# --8<-- [end:polygon]
u_circle, u_sphere, u_polygon = u_circle.item(), u_sphere.item(), u_polygon.item()
print(f"uniformity: circle {u_circle:.4f} (exact {circle_exact:.4f}), "
      f"sphere {u_sphere:.4f} (exact {sphere_exact:.4f}), "
      f"{n}-gon {u_polygon:.4f}, collapsed {u_collapsed:.1f}")
