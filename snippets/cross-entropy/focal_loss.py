"""Focal loss is not an NLL, and its population minimiser is pulled from the true probability π towards ½.

Chapter "Cross-entropy". The binary focal loss (Lin et al., 2017) multiplies the
Bernoulli NLL of the observed label by (1 − q_y)^γ, where q_y is the probability
the model gave that label. Cross-entropy is the case γ = 0.
"""

# %%
import matplotlib.pyplot as plt
import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # small tensors: threads only add overhead


def focal(q, y, gamma):
    """−(1 − q_y)^γ log q_y for a binary label y, with q = P(y = 1)."""
    q_y = q if y == 1 else 1 - q
    return -((1 - q_y) ** gamma) * torch.log(q_y)


# %% [markdown]
# An NLL of a model with parameter q satisfies Σ_y e^{−loss(q, y)} = 1 for every
# q (up to a constant factor, if a constant was dropped). For focal loss the
# sum moves with q.

# %%
# --8<-- [start:not-nll]
q_two = torch.tensor([0.3, 0.8])


def mass(q, gamma):
    return torch.exp(-focal(q, 1, gamma)) + torch.exp(-focal(q, 0, gamma))


assert torch.allclose(mass(q_two, 0.0), torch.ones(2)), "γ = 0: e^−CE sums to 1"
for gamma in (1.0, 2.0, 5.0):
    m = mass(q_two, gamma)
    assert (m > 1).all() and abs(m[0] - m[1]) > 0.01, (
        "γ > 0: e^−FL sums to more than 1, by an amount that depends on q"
    )
mass_03, mass_08 = mass(q_two, 2.0).tolist()
half = torch.tensor(0.5)
peak_g1, peak_g2, peak_g5 = (mass(half, g).item() for g in (1.0, 2.0, 5.0))
for g, peak in ((1.0, peak_g1), (2.0, peak_g2), (5.0, peak_g5)):
    assert abs(peak - 2 ** (1 - 2**-g)) < 1e-12, "at q = ½ the sum is 2^(1 − 2^−γ)"
# --8<-- [end:not-nll]

# %% [markdown]
# The population minimiser. If P(y = 1 | x) = π, the expected focal loss of a
# prediction q is π·FL(q, 1) + (1 − π)·FL(q, 0). Minimise it on a fine grid.

# %%
# --8<-- [start:minimiser]
q_grid = torch.linspace(1e-6, 1 - 1e-6, 400001)
pis = torch.tensor([0.03, 0.12, 0.27, 0.41, 0.58, 0.66, 0.83, 0.95])


def q_star(pi, gamma, grid=q_grid):
    risk = pi * focal(grid, 1, gamma) + (1 - pi) * focal(grid, 0, gamma)
    return grid[risk.argmin()].item()


step = (q_grid[1] - q_grid[0]).item()
for pi in pis.tolist():
    assert abs(q_star(pi, 0.0) - pi) <= step, "γ = 0 (cross-entropy): q* = π"
for gamma in (1.0, 2.0, 5.0):
    fitted = torch.tensor([q_star(pi, gamma) for pi in pis.tolist()])
    between = ((fitted - pis) * (0.5 - pis) > 0) & ((fitted - 0.5) * (pis - 0.5) > 0)
    assert between.all(), "q* lies strictly between π and ½: pulled towards ½"
    assert (fitted.diff() > 0).all(), "q* still increases with π (invertible)"
q_star_83 = q_star(0.83, 2.0)  # quoted: π = 0.83, γ = 2
q_star_edge = q_star(0.995, 5.0)  # quoted: how far γ = 5 falls short near π = 1
# --8<-- [end:minimiser]

# %% [markdown]
# The α-balanced version multiplies the positive terms by α and the negative
# ones by 1 − α. At γ = 0 that is pos_weight w = α/(1 − α) (times 1 − α), and
# it moves the minimiser to wπ/(wπ + 1 − π).

# %%
ALPHA = 0.25  # torchvision.ops.sigmoid_focal_loss's default
pi = 0.27
risk = pi * ALPHA * focal(q_grid, 1, 0.0) + (1 - pi) * (1 - ALPHA) * focal(
    q_grid, 0, 0.0
)
w = ALPHA / (1 - ALPHA)
assert abs(q_grid[risk.argmin()] - w * pi / (w * pi + 1 - pi)) <= step, (
    "α-balancing moves the minimiser like pos_weight = α/(1 − α)"
)

# %%
fig, (ax_min, ax_mass) = plt.subplots(
    1, 2, figsize=(9, 3.5), num="focal-loss", layout="constrained"
)
pi_line = torch.linspace(0.005, 0.995, 67)
q_line = torch.linspace(0.005, 0.995, 199)
coarse = torch.linspace(1e-5, 1 - 1e-5, 20001)  # enough for a picture
# Cross-entropy is the Bernoulli NLL and keeps its colour; focal losses are no NLL, so they are drawn in black.
looks = {0.0: ("-", "C5"), 1.0: ("--", "k"), 2.0: ("-.", "k"), 5.0: (":", "k")}
for gamma, (ls, color) in looks.items():
    label = "γ = 0 (cross-entropy)" if gamma == 0 else f"γ = {gamma:g}"
    style = dict(color=color, ls=ls, lw=2.4 if gamma == 0 else 1.5)
    curve = [q_star(p, gamma, coarse) for p in pi_line.tolist()]
    ax_min.plot(pi_line, curve, label=label, **style)
    ax_mass.plot(q_line, mass(q_line, gamma), label=label, **style)
ax_min.axhline(0.5, color="C7", lw=0.8, ls=":")
ax_min.set(xlabel="true $P(y=1)$, $\\pi$", ylabel="minimiser $q^\\star$",
           xlim=(0, 1), ylim=(0, 1))
ax_min.set_title("the expected loss is smallest at $q^\\star$", fontsize=10)
ax_min.legend(loc="upper left", fontsize=8)
ax_mass.set(xlabel="prediction $q$",
            ylabel="$e^{-\\ell(q,0)} + e^{-\\ell(q,1)}$", xlim=(0, 1))
ax_mass.set_title("an NLL would give 1 everywhere", fontsize=10)
plt.show()
