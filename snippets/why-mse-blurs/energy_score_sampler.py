"""The energy score ranks a perfect sampler first; at β = 2 it only sees the mean.

Chapter "Why MSE blurs", evaluating samplers. The energy score of a forecast
distribution P at an outcome y is ES_β(P, y) = E‖Y − y‖^β − ½ E‖Y − Y′‖^β,
with Y and Y′ drawn independently from P. For 0 < β < 2 it is strictly
proper (Gneiting & Raftery, 2007): its expectation under the true
distribution is smallest for the true distribution itself. At β = 2 it
equals ‖E[Y] − y‖², the squared error of the forecast's mean, so it cannot
tell a perfect sampler from the ghost. The ghost frames of the chapter show
both.
"""

# %%
import torch

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
SIZE, SIDE, SHIFT = 16, 6, 2


def frame(row, col):
    img = torch.zeros(SIZE, SIZE)
    img[row : row + SIDE, col : col + SIDE] = 1.0
    return img.flatten()


# --8<-- [start:score]
def energy_score(points, probs, y, beta):
    """ES_β of the discrete forecast P(points[i]) = probs[i] at outcome y."""
    to_y = (points - y).norm(dim=1) ** beta
    pairs = torch.cdist(points, points) ** beta
    return probs @ to_y - 0.5 * probs @ pairs @ probs


def expected_score(forecast, truth, beta):
    """E_y ES_β(forecast, y) for y drawn from the discrete truth."""
    points, probs = truth
    return sum(q * energy_score(*forecast, y, beta) for y, q in zip(points, probs))
# --8<-- [end:score]


# %% [markdown]
# At β = 2 the score is the squared error of the forecast's mean, whatever
# the forecast: check it on a random discrete forecast in 5 dimensions.

# %%
points, probs = torch.randn(7, 5), torch.rand(7).softmax(0)
y = torch.randn(5)
assert torch.isclose(
    energy_score(points, probs, y, 2.0), (probs @ points - y).square().sum()
), "ES_2(P, y) = ‖E[Y] − y‖²"

# %% [markdown]
# The two futures of the ghost demo, a (left) and b (right), at two generic
# frequencies p of "right". Forecasts: the perfect sampler (the truth
# itself), the ghost (a point mass at the mean), each sharp future, and a
# sampler with the wrong frequency.

# %%
# --8<-- [start:ghost]
a, b = frame(5, 5 - SHIFT), frame(5, 5 + SHIFT)
d = (a - b).norm()  # ‖a − b‖ = √48
one = torch.ones(1)
for p in (0.3, 0.62):
    truth = (torch.stack([a, b]), torch.tensor([1 - p, p]))
    forecasts = {
        "sampler": truth,
        "ghost": (((1 - p) * a + p * b)[None], one),
        "left": (a[None], one),
        "right": (b[None], one),
        "wrong p": (truth[0], torch.tensor([0.5 - p / 3, 0.5 + p / 3])),
    }
    es2 = {k: expected_score(f, truth, 2.0) for k, f in forecasts.items()}
    assert torch.isclose(es2["sampler"], es2["ghost"]), "β = 2: a tie"
    assert torch.isclose(es2["ghost"], p * (1 - p) * d**2), "p(1-p)‖a-b‖²"
    for beta in (0.5, 1.0, 1.5):
        es = {k: expected_score(f, truth, beta) for k, f in forecasts.items()}
        assert torch.isclose(es["sampler"], p * (1 - p) * d**beta), (
            "the sampler scores p(1-p)‖a-b‖^β"
        )
        others = [v for k, v in es.items() if k != "sampler"]
        assert es["sampler"] < min(others) - 1e-6, "the sampler scores best"
        assert torch.isclose(
            es["ghost"], p * (1 - p) * (p ** (beta - 1) + (1 - p) ** (beta - 1)) * d**beta
        ), "the ghost scores p(1-p)(p^(β-1) + (1-p)^(β-1))‖a-b‖^β"
# --8<-- [end:ghost]
