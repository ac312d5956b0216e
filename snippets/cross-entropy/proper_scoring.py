"""Cross-entropy (the log score) and the Brier score are strictly proper: their expected value under p is smallest at q = p; only the log score is an NLL.

Chapter "Cross-entropy". A scoring rule S(q, y) rates a forecast q of a class
distribution when class y occurs. It is proper if reporting the true
distribution p minimises the expected score E_{y~p}[S(q, y)], strictly proper
if only q = p does (Gneiting & Raftery, 2007).
"""

# %%
import torch
from torch.distributions import Categorical, Dirichlet, kl_divergence

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)
K = 4
p = Dirichlet(torch.full((K,), 2.0)).sample()  # the true class distribution
q = Dirichlet(torch.full((K,), 2.0)).sample()  # some other forecast
onehots = torch.eye(K)  # row y: the outcome y as a one-hot vector


def log_score(q, y):
    return -torch.log(q[..., y])


def brier(q, y):
    return ((q - onehots[y]) ** 2).sum(dim=-1)


def abs_error(q, y):
    return (q - onehots[y]).abs().sum(dim=-1)


def expected(score, q):
    """E_{y~p}[score(q, y)]: exact, a sum over the K outcomes."""
    return sum(p[y] * score(q, y) for y in range(K))


# %%
# --8<-- [start:excess]
excess_log = expected(log_score, q) - expected(log_score, p)
excess_brier = expected(brier, q) - expected(brier, p)
kl = kl_divergence(Categorical(probs=p), Categorical(probs=q))
assert torch.isclose(excess_log, kl), "log score: the excess is KL(p‖q)"
assert torch.isclose(excess_brier, ((q - p) ** 2).sum()), (
    "Brier: the excess is ‖q − p‖²"
)
# --8<-- [end:excess]

# %% [markdown]
# Minimise each expected score over the simplex (q = softmax of free logits).

# %%
# --8<-- [start:minimisers]
def minimise(score):
    z = torch.zeros(K, requires_grad=True)
    opt = torch.optim.LBFGS(
        [z], max_iter=500, tolerance_grad=1e-12, tolerance_change=0,
        line_search_fn="strong_wolfe",
    )

    def closure():
        opt.zero_grad()
        loss = expected(score, z.softmax(dim=0))
        loss.backward()
        return loss

    opt.step(closure)
    return z.softmax(dim=0).detach()


assert torch.allclose(minimise(log_score), p, atol=1e-6), "log score: q* = p"
assert torch.allclose(minimise(brier), p, atol=1e-6), "Brier: q* = p"
mode = onehots[p.argmax()]
assert expected(abs_error, mode) < expected(abs_error, p), (
    "absolute error prefers the one-hot mode to the truth: not proper"
)
# --8<-- [end:minimisers]

# %% [markdown]
# Which of them is an NLL? −log q_y is, because e^{−S(q, y)} = q_y sums to 1
# over y for every q. For the Brier score, Σ_y e^{−S(q, y)} depends on q, so no
# constant turns it into the log of a probability of y.

# %%
# --8<-- [start:normaliser]
def normaliser(score, q):
    return sum(torch.exp(-score(q, y)) for y in range(K))


assert torch.isclose(normaliser(log_score, p), torch.tensor(1.0)), "Σ_y q_y = 1 at q = p"
assert torch.isclose(normaliser(log_score, q), torch.tensor(1.0)), (
    "log score: Σ_y e^−S = 1 for every q"
)
uniform, vertex = torch.full((K,), 1 / K), onehots[0]
z_uniform, z_vertex = normaliser(brier, uniform), normaliser(brier, vertex)
assert abs(z_uniform - z_vertex) > 0.1, "Brier: Σ_y e^−S changes with q, so not an NLL"
# --8<-- [end:normaliser]

# %% [markdown]
# Exercise 3: normalising the Brier score gives the NLL of
# Categorical(softmax(2q)). For p = (0.9, 0.05, 0.05) no q in the simplex has
# softmax(2q) = p (the ratio 18 exceeds e²), and the expected NLL is lowest on
# the simplex's boundary, away from q = p.

# %%
p3 = torch.tensor([0.9, 0.05, 0.05], dtype=torch.float64)
a, b = torch.meshgrid(torch.linspace(0, 1, 401), torch.linspace(0, 1, 401), indexing="ij")
inside = a + b <= 1 + 1e-12
grid = torch.stack([a[inside], b[inside], (1 - a - b)[inside].clamp(min=0)], dim=1)
risk3 = -(p3 * (2 * grid).log_softmax(dim=1)).sum(dim=1)  # E_p[−log softmax(2q)_y]
q3 = grid[risk3.argmin()]
assert q3.min() < 1e-12, "normalised Brier: the minimiser is on the boundary"
assert (q3 - p3).abs().max() > 0.05, "and it is not q = p"
print(f"p = {p.numpy().round(3)}; Brier normaliser {z_uniform:.4f} (uniform q) vs {z_vertex:.4f} (one-hot q)")
