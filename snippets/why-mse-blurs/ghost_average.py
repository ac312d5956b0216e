"""An MSE-trained next-frame predictor outputs the average of two futures.

Chapter "Why MSE blurs". A 6×6 square moves 2 pixels between two 16×16 frames,
right with probability 0.3 and left otherwise, so the first frame does not
determine the second. A convolution that maps frame to frame is trained with
MSE. It could output either sharp future (a kernel with a single 1 does it)
but it outputs their frequency-weighted pixel-wise average. For every
frequency p ≠ ½ of "moved right", MSE ranks the ghost first, then always
predicting the more frequent future, then a perfect sampler (at exactly twice
the ghost's MSE), then the rarer future. The probability is generic on
purpose: at p = ½ formulas that swap p and 1 - p would pass unnoticed.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn

SEED = 0
torch.manual_seed(SEED)
torch.set_num_threads(1)  # tiny tensors: threads only add overhead
torch.set_default_dtype(torch.float64)
SIZE, SIDE, SHIFT, N = 16, 6, 2, 400
P_RIGHT = 0.3  # how often the square moves right; not ½, see the docstring


def frame(row, col):
    """A SIZE×SIZE image of zeros with a SIDE×SIDE square of ones at
    (row, col). The figures draw 1 as dark."""
    img = torch.zeros(SIZE, SIZE)
    img[row : row + SIDE, col : col + SIDE] = 1.0
    return img


# positions keep the square and the kernel's reach inside the frame
rows = torch.randint(2, SIZE - SIDE - 1, (N,)).tolist()
cols = torch.randint(2, SIZE - SIDE - 1, (N,)).tolist()
moves = torch.where(torch.rand(N) < P_RIGHT, SHIFT, -SHIFT)  # +2 or -2
x = torch.stack([frame(r, c) for r, c in zip(rows, cols)])[:, None]
y = torch.stack(
    [frame(r, c + m) for r, c, m in zip(rows, cols, moves.tolist())]
)[:, None]
p_right = (moves > 0).double().mean().item()  # how often it went right
n_right = round(p_right * N)  # this draw's count, quoted on the page
se_p = math.sqrt(P_RIGHT * (1 - P_RIGHT) / N)  # standard error of p_right
assert abs(p_right - P_RIGHT) < 5 * se_p, "the draw has the set frequency"

# %%
# --8<-- [start:train]
net = nn.Conv2d(1, 1, kernel_size=5, padding=2)  # a linear frame predictor
opt = torch.optim.LBFGS(
    net.parameters(),
    max_iter=200,
    tolerance_grad=1e-12,
    tolerance_change=0,
    line_search_fn="strong_wolfe",
)


def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(net(x), y)
    loss.backward()
    return loss


opt.step(closure)
# --8<-- [end:train]

# %% [markdown]
# Predict the next frame for a square in the middle (a position that also
# occurs in training), and compare with the two futures it could have.

# %%
# --8<-- [start:ghost]
with torch.no_grad():
    pred = net(frame(5, 5)[None, None])[0, 0]
left, right = frame(5, 5 - SHIFT), frame(5, 5 + SHIFT)
mean = (1 - p_right) * left + p_right * right  # pixel-wise average
assert (pred - mean).abs().max() < 1e-4, "prediction = average of futures"
only_one = (left + right) == 1  # pixels lit in one future, not the other
both = (left + right) == 2
assert ((pred[only_one] - 0.5).abs() < 0.4).all(), (
    "where the futures differ, no pixel within 0.1 of 0 or 1"
)
assert (pred[both] - 1).abs().max() < 1e-4, "full intensity where both agree"
# --8<-- [end:ghost]

# %% [markdown]
# The sharp answer is in the model class. nn.Conv2d computes a
# cross-correlation, out[j] = Σ_v w[v] in[j + v - 2], so a single 1 at
# column offset -2 (index 0) reads the pixel two to the left: the square
# moves right. MSE ranks it below the ghost.

# %%
# --8<-- [start:sharp]
sharp = nn.Conv2d(1, 1, kernel_size=5, padding=2)
with torch.no_grad():
    sharp.weight.zero_()
    sharp.bias.zero_()
    sharp.weight[0, 0, 2, 2 - SHIFT] = 1.0  # copy from 2 pixels to the left
    moved = sharp(frame(5, 5)[None, None])[0, 0]
    assert torch.equal(moved, right), "offset -2 moves the square right"
    d2 = only_one.sum().item()  # pixels that differ between the futures
    D = SIZE * SIZE
    loss_ghost = nn.functional.mse_loss(net(x), y).item()
    loss_sharp = nn.functional.mse_loss(sharp(x), y).item()
    # The expected MSE of a perfect sampler, which outputs "right" with
    # probability p_right, at random: the frequency-weighted average of the
    # two sharp answers' MSEs, computed exactly, without sampling.
    loss_left = nn.functional.mse_loss(x.roll(-SHIFT, dims=3), y).item()
    loss_sampler = p_right * loss_sharp + (1 - p_right) * loss_left
    loss_frequent = min(loss_left, loss_sharp)  # the more frequent future
    loss_rarer = max(loss_left, loss_sharp)
q = p_right
assert abs(loss_ghost - q * (1 - q) * d2 / D) < 1e-6, "ghost: p(1-p)|a-b|²/D"
assert abs(loss_sharp - (1 - q) * d2 / D) < 1e-9, "right: (1-p)|a-b|²/D"
assert abs(loss_left - q * d2 / D) < 1e-9, "left: p|a-b|²/D"
assert abs(loss_sampler / loss_ghost - 2) < 1e-4, "a sampler pays double"
# for every p other than 0, ½ and 1: ghost < more frequent < sampler < rarer;
# the gaps are p², p(1-2p) and (1-p)(1-2p) times |a-b|²/D for p < ½
assert loss_ghost < loss_frequent < loss_sampler, "the ranking"
assert loss_sampler < loss_rarer, "the ranking's last place"
# --8<-- [end:sharp]
ratio = loss_sampler / loss_ghost
frequent = "left" if p_right < 0.5 else "right"  # this draw's majority
rarer = "right" if frequent == "left" else "left"
flatness = abs(1 - 2 * p_right)  # slope of per-pixel MAE in c (Exercise 2)
pct_left, pct_right = 100 * (1 - p_right), 100 * p_right  # figure titles
left_level, right_level = pred[7, 3].item(), pred[7, 12].item()  # row 7
print(
    f"moved right in {p_right:.4f} of pairs; MSE per pixel: ghost "
    f"{loss_ghost:.4f}, always-right {loss_sharp:.4f}, "
    f"perfect sampler {loss_sampler:.4f}"
)

# %%
fig, axes = plt.subplot_mosaic(
    "abcde",
    figsize=(9, 2.3),
    width_ratios=(1, 1, 1, 1, 1.7),
    num="blur-ghost-square",
    layout="constrained",
)
panels = {
    "a": (frame(5, 5), "input frame"),
    "b": (left, f"moved left ({1 - p_right:.1%})"),
    "c": (right, f"moved right ({p_right:.1%})"),
    "d": (pred, "MSE prediction"),
}
for key, (img, title) in panels.items():
    axes[key].imshow(img, cmap="Greys", vmin=0, vmax=1)
    axes[key].set_title(title, fontsize=9)
    axes[key].set_xticks([])
    axes[key].set_yticks([])
    axes[key].grid(False)
    axes[key].spines[:].set_visible(True)
    axes[key].axhline(7, color="C7", lw=0.8, ls=":")
ax = axes["e"]
cols = torch.arange(SIZE)
ax.step(cols, left[7], where="mid", color="C7", ls="--", label="left")
ax.step(cols, right[7], where="mid", color="C7", ls=":", label="right")
ax.step(cols, pred[7], where="mid", color="C0", label="MSE")
ax.set(xlabel="column (dotted row)", ylabel="intensity", ylim=(-0.05, 1.1))
ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1), ncols=3)
plt.show()
