"""The InfoNCE bound log N − L never exceeds log N, and with the optimal critic it rises with N towards the true mutual information.

Chapter "Contrastive loss (InfoNCE)". Correlated Gaussians y = ρx + √(1−ρ²) ε
in d dimensions have a known mutual information, −(d/2) log(1 − ρ²), and a
known optimal critic, the log density ratio log p(y|x) − log p(y) (Poole et al.,
2019). The same critic is evaluated with batches of N = 2 to 1024 pairs.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)
D = 10
RHOS = (0.4, 0.7, 0.9)
NS = [2 ** k for k in range(1, 11)]


def true_mi(rho):
    return -D / 2 * math.log(1 - rho ** 2)


def sample(n, rho, batches=()):
    x = torch.randn(*batches, n, D)
    y = rho * x + math.sqrt(1 - rho ** 2) * torch.randn(*batches, n, D)
    return x, y


# %%
# --8<-- [start:bound]
def log_ratio(x, y, rho):
    """Optimal critic: log p(y|x) − log p(y), for every pair (x_j, y_i)."""
    s2 = 1 - rho ** 2
    sq = torch.cdist(y, rho * x) ** 2  # [..., i, j] = ||y_i − ρ x_j||²
    return (-sq / (2 * s2) - D / 2 * math.log(s2)
            + (y ** 2).sum(-1, keepdim=True) / 2)


def infonce_bound(scores):
    """log N − InfoNCE, per row i: the positive of y_i is x_i among N x's."""
    n = scores.shape[-1]
    labels = torch.arange(n).expand(scores.shape[:-1])
    nll = F.cross_entropy(scores.reshape(-1, n), labels.reshape(-1),
                          reduction="none")
    return math.log(n) - nll.reshape(scores.shape[:-1])
# --8<-- [end:bound]


# %% [markdown]
# First the critic itself: on every pair it must equal log N(y; ρx, (1−ρ²)I)
# − log N(y; 0, I), computed here independently with torch.distributions.
# Then its mean over the joint is I(x; y), per coordinate −½ log(1 − ρ²).

# %%
for rho in RHOS:
    x, y = sample(20000, rho)
    cond = torch.distributions.Normal(rho * x, math.sqrt(1 - rho ** 2))
    marg = torch.distributions.Normal(torch.zeros_like(y), 1.0)
    ref = (cond.log_prob(y) - marg.log_prob(y)).sum(1)
    lr = torch.stack([log_ratio(x[k:k + 1], y[k:k + 1], rho)[0, 0]
                      for k in range(50)])
    assert torch.allclose(lr, ref[:50], rtol=1e-10, atol=1e-10), (
        "log_ratio is the log density ratio (4)'s integrand"
    )
    se = ref.std() / math.sqrt(len(ref))
    assert abs(ref.mean() - true_mi(rho)) < 5 * se, (
        "E log p(y|x)/p(y) = −(d/2) log(1 − ρ²)"
    )

# %%
# --8<-- [start:sweep]
PAIRS = 2 ** 13  # pairs per (ρ, N): 2^13 / N batches of N
mean, se = {}, {}
for rho in RHOS:
    for n in NS:
        x, y = sample(n, rho, batches=(PAIRS // n,))  # independent batches
        rows = infonce_bound(log_ratio(x, y, rho))  # (batches, n)
        assert (rows <= math.log(n) + 1e-12).all(), "every row <= log N"
        mean[rho, n] = rows.mean().item()
        # rows of one batch are dependent: s.e. from the batch means
        batch_means = rows.mean(1)
        se[rho, n] = (batch_means.std() / math.sqrt(len(batch_means))).item()
# --8<-- [end:sweep]

# %% [markdown]
# The cap holds for any critic, because the positive's own term is in the
# denominator: e^{f_ii} / Σ_j e^{f_ij} ≤ 1, so each row's log N − ℓ_i ≤ log N.
# A badly scaled random critic and a critic that always finds the positive
# both respect it.

# %%
# --8<-- [start:any-critic]
x, y = sample(64, 0.9)
critics = {
    "random bilinear": 50 * y @ torch.randn(D, D) @ x.T,
    "oracle, scaled up": 1e6 * torch.eye(64),
    "optimal": log_ratio(x, y, 0.9),
}
for name, scores in critics.items():
    assert infonce_bound(scores).max() <= math.log(64) + 1e-12, name
assert abs(infonce_bound(1e6 * torch.eye(64)).mean() - math.log(64)) < 1e-9, (
    "a critic that always finds the positive scores exactly log N"
)
# --8<-- [end:any-critic]

# %%
for rho in RHOS:
    for n in NS:
        assert mean[rho, n] < true_mi(rho) + 5 * se[rho, n], (
            "the bound is a lower bound on I"
        )
    assert mean[rho, NS[-1]] > mean[rho, 4] + 5 * se[rho, NS[-1]], (
        "the same critic gives a larger bound with a larger batch"
    )
for n_small, n_big in zip(NS, NS[1:]):
    assert mean[0.9, n_big] > mean[0.9, n_small] + 0.3, (
        "at high MI the bound climbs with every doubling of N"
    )
for n in NS[:6]:  # I = 8.3 nats is far above log N for N <= 64
    assert math.log(n) - mean[0.9, n] < 0.2, "saturated: close to log N"
# with log N eight times I, the optimal critic's bound is close to I
assert abs(mean[0.4, NS[-1]] - true_mi(0.4)) < 0.05, (
    "at rho = 0.4 and N = 1024 the bound is within 0.05 nats of I"
)

mi_low, mi_mid, mi_high = (true_mi(r) for r in RHOS)
n_needed_high = math.exp(round(mi_high, 1))  # the batch size whose log N reaches ρ = 0.9's I (to 1 decimal)
bound_high_64 = mean[0.9, 64]
bound_high_1024 = mean[0.9, 1024]
bound_low_1024 = mean[0.4, 1024]
bound_mid_1024 = mean[0.7, 1024]
bound_mid_16 = mean[0.7, 16]
se_low_1024 = se[0.4, 1024]
gap_low_1024 = bound_low_1024 - mi_low
cap_gap_high_1024 = math.log(1024) - bound_high_1024
log_1024 = math.log(1024)

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.8), num="infonce-bound-vs-n",
                       layout="constrained")
ax.plot(NS, [math.log(n) for n in NS], color="C7", ls="--", lw=1.2,
        label="$\\log N$ (the cap)")
for rho, ls in zip(RHOS, ("-", "-.", ":")):
    ax.axhline(true_mi(rho), color="C0", lw=1.1, ls=ls)
    ax.errorbar(NS, [mean[rho, n] for n in NS],
                yerr=[2 * se[rho, n] for n in NS], color="C5", ls=ls,
                marker="o", ms=3.5,
                label=f"$\\rho$ = {rho}: bound, true $I$ = {true_mi(rho):.2f}")
ax.set_xscale("log", base=2)
ax.set(xlabel="batch size $N$", ylabel="nats", ylim=(0, 9))
ax.set_title("$\\log N - \\mathcal{L}_{\\mathrm{InfoNCE}}$ with the optimal "
             "critic (blue lines: true $I$)", fontsize=10)
ax.legend(loc="upper left", fontsize=8)
plt.show()
