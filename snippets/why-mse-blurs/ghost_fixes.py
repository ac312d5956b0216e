"""Per-pixel cross-entropy still fits the ghost; a mixture of images does not.

Chapter "Why MSE blurs", what fixes the blur. Same two futures as the ghost
demo, for one input frame. A per-pixel Bernoulli model (BCE, one independent
coin per pixel) fits the pixel-wise average, and its samples are speckle. A
mixture of two such models, trained by its NLL, puts one whole future in each
component: its NLL is one coin flip, H(p) nats with H the coin's entropy,
where the per-pixel model pays H(p) for every pixel on which the futures disagree. As in the ghost
demo, the square moves right with the generic probability 0.3, at which the
trained weights, H(p) and the frequency-weighted average all differ clearly
from what a fair coin would give.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch.distributions import Bernoulli

SEED = 0
torch.manual_seed(SEED)
torch.set_num_threads(1)  # tiny tensors: threads only add overhead
torch.set_default_dtype(torch.float64)
SIZE, SIDE, SHIFT, N = 16, 6, 2, 400
P_RIGHT = 0.3  # as in the ghost demo; not ½


def frame(row, col):
    img = torch.zeros(SIZE, SIZE)
    img[row : row + SIDE, col : col + SIDE] = 1.0
    return img


left, right = frame(5, 5 - SHIFT), frame(5, 5 + SHIFT)
went_right = torch.rand(N) < P_RIGHT
y = torch.where(went_right[:, None, None], right, left)  # N observed futures
p = went_right.double().mean().item()
n_right = round(p * N)  # a fresh draw, not the ghost demo's training set
n_differ = (left != right).sum().item()  # pixels where the futures disagree
se_p = math.sqrt(P_RIGHT * (1 - P_RIGHT) / N)  # standard error of p
assert abs(p - P_RIGHT) < 5 * se_p, "the draw has the set frequency"


def entropy(q):
    """Entropy of a coin with P(heads) = q, in nats."""
    return -q * math.log(q) - (1 - q) * math.log(1 - q)


def train(params, nll, steps=300):
    # Pixels that are always 0 or always 1 have their MLE at logit ∓∞; a
    # short memory for Adam's second moment keeps the steps large on the way.
    opt = torch.optim.Adam(params, lr=0.2, betas=(0.9, 0.9))
    for _ in range(steps):
        opt.zero_grad()
        loss = nll()
        loss.backward()
        opt.step()
    return loss.item()


# %%
# --8<-- [start:per-pixel]
z = torch.zeros(SIZE, SIZE, requires_grad=True)  # one logit per pixel


def nll_per_pixel():  # = BCEWithLogitsLoss summed over pixels
    return -Bernoulli(logits=z).log_prob(y).sum((1, 2)).mean()


nll_pp = train([z], nll_per_pixel)
probs = torch.sigmoid(z).detach()
mean = (1 - p) * left + p * right
assert (probs - mean).abs().max() < 0.01, "BCE also fits the average"
assert abs(nll_pp - n_differ * entropy(p)) < 0.01, (
    "it pays one coin flip per disagreeing pixel"
)
# --8<-- [end:per-pixel]

# %%
# --8<-- [start:mixture]
zk = (0.1 * torch.randn(2, SIZE, SIZE)).requires_grad_()  # two images
a = torch.zeros(2, requires_grad=True)  # mixture logits


def nll_mixture():
    # log p(y_i | component k) for every image i and component k: (N, 2)
    log_lik = Bernoulli(logits=zk).log_prob(y[:, None]).sum((2, 3))
    return -torch.logsumexp(log_lik + a.log_softmax(0), dim=1).mean()


nll_mix = train([zk, a], nll_mixture)
components = (torch.sigmoid(zk) > 0.5).double()
weights = a.softmax(0).detach()
as_set = lambda images: {tuple(img.flatten().tolist()) for img in images}
assert as_set(components) == as_set([left, right]), "one future each"
assert abs(nll_mix - entropy(p)) < 0.01, "one coin flip per image"
k_right = int(torch.equal(components[1], right))  # the "right" component
assert abs(weights[k_right] - p) < 0.01, "weights = frequencies"
# --8<-- [end:mixture]
entropy_p = entropy(p)
nll_pp_exact = n_differ * entropy_p
weight_1, weight_2 = weights.tolist()
future_1, future_2 = ("right", "left") if k_right == 0 else ("left", "right")
print(
    f"{n_differ} pixels differ; P(right) = {p:.3f}; NLL per image: per-pixel "
    f"{nll_pp:.2f} nats (n·H = {n_differ * entropy(p):.2f}), mixture "
    f"{nll_mix:.3f} (H = {entropy(p):.3f})"
)

# %%
draws_pp = Bernoulli(probs=probs).sample((3,))
draws_mix = Bernoulli(logits=zk.detach()).sample()  # one per component
futures = (left, right)
assert not any(torch.equal(d, f) for d in draws_pp for f in futures), (
    "independent pixels never reproduce either future"
)
assert all(any(torch.equal(d, f) for f in futures) for d in draws_mix), (
    "every draw from the mixture is one of the two futures"
)

fig, axes = plt.subplots(
    2, 4, figsize=(7.5, 4), num="blur-ghost-fixes", layout="constrained"
)
shown = [
    [(probs, "per-pixel Bernoulli:\nP(pixel = 1)")]
    + [(d, f"its sample {i + 1}") for i, d in enumerate(draws_pp)],
    [
        (
            torch.sigmoid(zk[k]).detach(),
            f"mixture component {k + 1}\n(weight {weights[k]:.2f})",
        )
        for k in range(2)
    ]
    + [
        (d, f"a sample from\ncomponent {k + 1}")
        for k, d in enumerate(draws_mix)
    ],
]
for ax_row, images in zip(axes, shown):
    for ax, (img, title) in zip(ax_row, images):
        ax.imshow(img, cmap="Greys", vmin=0, vmax=1)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[:].set_visible(True)
plt.show()
