"""A tiny encoder trained with InfoNCE on two shifted, noisy views of bar images lays the images out around the circle by orientation.

Chapter "Contrastive loss (InfoNCE)". The images are drawn here: a bright bar
at a random orientation θ and position on a 16×16 canvas. The two views of an
image are the same bar moved by independent random shifts, with independent
pixel noise. Nothing tells the encoder about θ; it only has to tell each image
from the other images in the batch. Its 2-d output is normalised onto the
unit circle, so alignment and uniformity (Wang & Isola, 2020) can be measured
before and after training.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_num_threads(1)
SIZE, TAU = 16, 0.1


def draw_bars(theta, centre):
    """Anti-aliased bars of length 11 and width about 2 px; theta, centre: (n,), (n, 2)."""
    grid = torch.arange(SIZE, dtype=torch.float32)
    py, px = torch.meshgrid(grid, grid, indexing="ij")
    dx = px - centre[:, 0, None, None]
    dy = py - centre[:, 1, None, None]
    c, s = torch.cos(theta)[:, None, None], torch.sin(theta)[:, None, None]
    along = (dx * c + dy * s).clamp(-5.5, 5.5)  # distance to a segment, not a line
    off = torch.sqrt((dx - along * c) ** 2 + (dy - along * s) ** 2)
    return torch.sigmoid(4 * (1.0 - off))[:, None]  # (n, 1, SIZE, SIZE)


def two_views(n, gen):
    theta = torch.rand(n, generator=gen) * math.pi  # a bar looks the same at θ + π
    centre = 5.5 + 5 * torch.rand(n, 2, generator=gen)
    views = []
    for _ in range(2):  # augmentation: a random shift of ±2 px and pixel noise
        shift = 4 * torch.rand(n, 2, generator=gen) - 2
        img = draw_bars(theta, centre + shift)
        views.append(img + 0.15 * torch.randn(img.shape, generator=gen))
    return theta, views[0], views[1]


# %%
# --8<-- [start:align-uniform]
def alignment(za, zb, alpha=2):
    """Wang & Isola's L_align: E ||f(x) − f(y)||^α over positive pairs."""
    return (za - zb).norm(dim=1).pow(alpha).mean()


def uniformity(z, t=2):
    """L_uniform: log E exp(−t ||f(x) − f(y)||²) over distinct pairs."""
    return torch.pdist(z).pow(2).mul(-t).exp().mean().log()
# --8<-- [end:align-uniform]


# %%
# --8<-- [start:encoder]
encoder = nn.Sequential(
    nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(),
    nn.Conv2d(8, 16, 5, padding=2, stride=2), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(),  # pooling: shifts barely matter
    nn.BatchNorm1d(16, track_running_stats=False),  # centre over the batch
    nn.Linear(16, 2),
)


def embed(x):
    return F.normalize(encoder(x), dim=1)  # onto the unit circle


gen = torch.Generator().manual_seed(SEED + 1)
theta_test, xa_test, xb_test = two_views(1000, gen)


def measure():
    with torch.no_grad():
        za, zb = embed(xa_test), embed(xb_test)
        return alignment(za, zb).item(), uniformity(za).item(), za


align_before, unif_before, z_before = measure()

STEPS = 250
opt = torch.optim.Adam(encoder.parameters(), lr=1e-2)
for step in range(STEPS):
    lr_factor = 0.5 * (1 + math.cos(math.pi * step / STEPS))  # cosine decay
    opt.param_groups[0]["lr"] = 1e-2 * lr_factor
    tau = TAU ** min(1.0, step / (0.7 * STEPS))  # anneal τ from 1 to TAU
    _, xa, xb = two_views(128, gen)
    za, zb = embed(xa), embed(xb)
    logits = za @ zb.T / tau  # InfoNCE: which of the 128 is my other view?
    loss = F.cross_entropy(logits, torch.arange(128))
    opt.zero_grad()
    loss.backward()
    opt.step()

align_after, unif_after, z_after = measure()
# --8<-- [end:encoder]

# %% [markdown]
# Does the layout follow the orientation? For each test image, find its
# nearest neighbour on the circle and compare their orientations (a gap on
# the circle of period π, so at most π/2). For unrelated neighbours the gap
# would be uniform on [0, π/2], with median π/4.


# %%
def neighbour_error(z):
    """Median orientation gap between each image and its nearest embedding."""
    dist = torch.cdist(z, z).fill_diagonal_(math.inf)
    gap = (theta_test - theta_test[dist.argmin(dim=1)]).abs()
    return torch.minimum(gap, math.pi - gap).median().item()


def winding_order(z):
    """max over ± of |mean exp(i(φ ∓ 2θ))|: 1 for a ring ordered by θ."""
    phi = torch.atan2(z[:, 1], z[:, 0])
    return max(torch.polar(torch.ones_like(phi), phi - sign * 2 * theta_test)
               .mean().abs().item() for sign in (1, -1))


nn_err_before, nn_err_after = neighbour_error(z_before), neighbour_error(z_after)
order_before, order_after = winding_order(z_before), winding_order(z_after)
unif_circle = -4 + math.log(torch.special.i0(torch.tensor(4.0)).item())
assert abs(unif_after - unif_circle) < 0.1, (
    "training spreads the embeddings over the circle: uniformity within 0.1 "
    "of the uniform distribution's"
)
assert align_after < 0.1, "the two views of an image land close together"
assert nn_err_after < 0.25 * math.pi / 4, (
    "after training, neighbours on the circle have nearly the same orientation"
)
print(f"alignment {align_before:.3f} -> {align_after:.3f}, "
      f"uniformity {unif_before:.3f} -> {unif_after:.3f} "
      f"(uniform circle {unif_circle:.3f}), "
      f"neighbour gap {nn_err_before:.3f} -> {nn_err_after:.3f} rad, "
      f"order {order_before:.3f} -> {order_after:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.4), num="contrastive-circle",
                         layout="constrained")
for ax, z, title in ((axes[1], z_before, "at initialisation"),
                     (axes[2], z_after, "after InfoNCE training")):
    jitter = 1 + 0.06 * torch.rand(1000, generator=gen)  # separate overlaps
    # twilight is near-white at both ends (θ near 0 and π): a dark rim keeps those points visible on white
    sc = ax.scatter(z[:, 0] * jitter, z[:, 1] * jitter, c=theta_test, s=7,
                    cmap="twilight", vmin=0, vmax=math.pi,
                    edgecolors="0.3", linewidths=0.3)
    ax.set(xlim=(-1.25, 1.25), ylim=(-1.25, 1.25), aspect="equal",
           xticks=[-1, 0, 1], yticks=[-1, 0, 1])
    ax.set_title(title, fontsize=10)
fig.colorbar(sc, ax=axes[1:], label="bar orientation θ (radians)", shrink=0.8)
examples = torch.cat([torch.cat([xa_test[i, 0], xb_test[i, 0]], dim=1)
                      for i in range(4)], dim=0)
axes[0].imshow(examples, cmap="gray", interpolation="nearest")
axes[0].set_title("four images, two views each", fontsize=10)
axes[0].axis("off")
plt.show()
