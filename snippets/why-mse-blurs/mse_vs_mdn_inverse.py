"""An MLP trained by MSE averages the branches; an MDN finds them.

Chapter "Why MSE blurs". Bishop's inverse problem: y ~ U(0, 1),
x = y + 0.3 sin 2πy + noise, and we predict y from x. Two small networks of
the same shape are trained on the same 5000 points: one by MSE (a Gaussian
noise model with fixed variance), one by the NLL of a three-component
Gaussian mixture whose weights, means and scales it outputs (Bishop, 1994).
Their held-out NLLs are compared with the best Gaussian whose variance may
depend on x, N(E[y|x], Var[y|x]), to separate what a learned variance buys
from what several modes buy.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.distributions as D
from torch import nn

SEED = 0
torch.manual_seed(SEED)
torch.set_num_threads(1)  # tiny tensors: threads only add overhead
torch.set_default_dtype(torch.float64)
SIGMA, N, N_TEST, K, HIDDEN = 0.04, 5000, 2000, 3, 20
BATCH, STEPS = 500, 1500  # the MDN's Adam steps, on minibatches
SIGMA_MIN = 0.005  # floor on the MDN's scales (the likelihood is unbounded)


def h(y):
    """The forward map. Inverting it is the problem."""
    return y + 0.3 * torch.sin(2 * math.pi * y)


def sample(n):
    y = torch.rand(n, 1)
    return h(y) + SIGMA * torch.randn(n, 1), y


x, y = sample(N)  # training data
x_test, y_test = sample(N_TEST)  # held out
MU, SD = x.mean(), x.std()  # both networks see the standardised input


def mlp(n_out):
    return nn.Sequential(
        nn.Linear(1, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, n_out)
    )


# %%
# --8<-- [start:mse]
mse_net = mlp(1)


def y_hat(x):
    """The MSE net's output: the mean of a fixed-variance Gaussian."""
    return mse_net((x - MU) / SD)


opt = torch.optim.LBFGS(
    mse_net.parameters(), max_iter=200, line_search_fn="strong_wolfe"
)


def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(y_hat(x), y)
    loss.backward()
    return loss


opt.step(closure)
# --8<-- [end:mse]

# %%
# --8<-- [start:mdn]
mdn = mlp(3 * K)  # outputs K mixture logits, K means, K log-scales
with torch.no_grad():  # start the K means spread over [0, 1]
    last = mdn[-1]
    last.weight.mul_(0.1)
    last.bias.zero_()
    last.bias[K : 2 * K] = torch.linspace(0.2, 0.8, K)
    last.bias[2 * K :] = math.log(0.1)


def mixture(x):
    """log π_k(x), μ_k(x) and σ_k(x) ≥ SIGMA_MIN, each of shape (n, K)."""
    logits, means, log_scales = mdn((x - MU) / SD).split(K, dim=1)
    return logits.log_softmax(1), means, SIGMA_MIN + log_scales.exp()


def mdn_nll(x, y):
    """Eq. (8), per point: a log-sum-exp over the components."""
    log_pi, mu, sigma = mixture(x)
    log_n = (-((y - mu) ** 2) / (2 * sigma**2) - sigma.log()
             - 0.5 * math.log(2 * math.pi))
    return -torch.logsumexp(log_pi + log_n, dim=1)


opt = torch.optim.Adam(mdn.parameters(), lr=0.02)
decay = torch.optim.lr_scheduler.CosineAnnealingLR(opt, STEPS)  # to 0
for epoch in range(BATCH * STEPS // N):  # minibatches of BATCH points
    for batch in torch.randperm(N).split(BATCH):
        opt.zero_grad()
        nll = mdn_nll(x[batch], y[batch]).mean()
        nll.backward()
        opt.step()
        decay.step()
# --8<-- [end:mdn]


def p_theta(x):
    """The same mixture as a torch distribution over y given x."""
    log_pi, mu, sigma = mixture(x)
    return D.MixtureSameFamily(D.Categorical(logits=log_pi),
                               D.Normal(mu, sigma))


with torch.no_grad():  # (8) by hand is what MixtureSameFamily computes
    by_torch = -p_theta(x_test).log_prob(y_test[:, 0])
    assert torch.allclose(mdn_nll(x_test, y_test), by_torch, atol=1e-12), (
        "eq. (8) = -MixtureSameFamily.log_prob"
    )

# %% [markdown]
# Compare both with the truth. p(y|x) ∝ N(x | h(y), σ²) on [0, 1]; its modes
# are the branches of the inverse (and, just outside the folds, a bump at
# the fold), and its mean is what MSE should find.

# %%
y_grid = torch.linspace(0, 1, 2001)


def true_density(x0):
    p = torch.exp(-((x0 - h(y_grid)) ** 2) / (2 * SIGMA**2))
    return p / torch.trapezoid(p, y_grid)


def mdn_density(x0):
    log_p = p_theta(torch.tensor([[x0]])).log_prob(y_grid[:, None])
    return log_p.exp()[:, 0]


def modes(p):
    """Local maxima of a density on y_grid, ignoring bumps below 5 % of
    its peak (a component with a negligible weight still makes a bump)."""
    inner = p[1:-1]
    peak = (inner > p[:-2]) & (inner >= p[2:]) & (inner > 0.05 * p.max())
    return y_grid[1:-1][peak]


# --8<-- [start:check]
with torch.no_grad():
    var = nn.functional.mse_loss(y_hat(x), y)  # the MLE of the variance
    for x0 in (0.36, 0.45, 0.5, 0.55, 0.64):
        p_true = true_density(x0)
        branches = modes(p_true)
        found = modes(mdn_density(x0))
        print(
            f"x={x0}: true modes {branches.numpy().round(3)}, "
            f"MDN modes {found.numpy().round(3)}"
        )
        # an MDN mode at every true mode: within a quarter of the distance
        # between neighbouring modes, so it cannot belong to another
        tol = 0.25 * branches.diff().min()
        nearest = (found[None, :] - branches[:, None]).abs().min(1).values
        assert (nearest < tol).all(), "an MDN mode at every true mode"
    fits, in_gap = {}, {"MDN": {}, "Gaussian": {}}
    for x0 in (0.36, 0.64):  # near the folds: two modes and a gap
        p_true = true_density(x0)
        lo, hi = modes(p_true)
        gap = (p_true < 0.01 * p_true.max()) & (y_grid > lo) & (y_grid < hi)
        fits[x0] = y_hat(torch.tensor([[x0]])).item()
        p_gauss = D.Normal(fits[x0], var.sqrt()).log_prob(y_grid).exp()
        in_gap["MDN"][x0] = torch.trapezoid(mdn_density(x0) * gap, y_grid)
        in_gap["Gaussian"][x0] = torch.trapezoid(p_gauss * gap, y_grid)
        assert gap[(y_grid - fits[x0]).abs().argmin()], "MSE fit in the gap"
        assert in_gap["MDN"][x0] < 0.02, "the MDN leaves the gap empty"
        assert in_gap["Gaussian"][x0] > 0.4, "the Gaussian puts mass there"
    # over the whole range, the MSE fit tracks E[y|x]
    xs = torch.linspace(0.05, 0.95, 91)
    fit = y_hat(xs[:, None])[:, 0]
    cond_mean = torch.stack(
        [torch.trapezoid(y_grid * true_density(u), y_grid) for u in xs]
    )
    rms = (fit - cond_mean).pow(2).mean().sqrt()
    assert rms < 0.03, "MSE fit ≈ E[y|x]"
    # Held-out NLL per point. The Gaussian at the MSE fit has one variance
    # for all x. N(E[y|x], Var[y|x]), from (6), is the best any Gaussian can
    # do in expectation, even with a learned variance, by (4). The rest of
    # the gap to the MDN is what several modes buy.
    nll_gauss = -D.Normal(y_hat(x_test), var.sqrt()).log_prob(y_test).mean()
    log_w = -((x_test - h(y_grid)) ** 2) / (2 * SIGMA**2)  # (N_TEST, grid)
    w = (log_w - log_w.amax(1, keepdim=True)).exp()
    w = w / torch.trapezoid(w, y_grid)[:, None]  # p(y|x) of (6), each row
    m = torch.trapezoid(w * y_grid, y_grid)
    v = torch.trapezoid(w * (y_grid - m[:, None]) ** 2, y_grid)
    nll_hetero = -D.Normal(m, v.sqrt()).log_prob(y_test[:, 0]).mean()
    log_norm = torch.logsumexp(log_w, 1) + math.log(y_grid[1])  # ∫ ≈ Σ Δy
    nll_true_pts = ((x_test[:, 0] - h(y_test[:, 0])) ** 2 / (2 * SIGMA**2)
                    + log_norm)
    excess = mdn_nll(x_test, y_test) - nll_true_pts  # per point
    nll_true, nll_mdn = nll_true_pts.mean(), mdn_nll(x_test, y_test).mean()
assert nll_hetero < nll_gauss - 0.2, "an x-dependent variance helps"
assert nll_mdn < nll_hetero - 0.4, "several modes help more still"
assert nll_mdn < nll_gauss - 0.5, "the MDN explains the data far better"
assert excess.mean() < 0.1, "and comes close to the truth"
# in expectation no model beats the truth (the excess is a KL divergence)
se = excess.std() / math.sqrt(N_TEST)
assert excess.mean() > -4 * se, "the truth is not beaten"
# --8<-- [end:check]
gain_variance = nll_gauss - nll_hetero  # nats per point
gain_modes = nll_hetero - nll_mdn
gain_total = nll_gauss - nll_mdn
ratio_total = math.exp(gain_total)
fit_lo, fit_hi = fits[0.36], fits[0.64]
gap_mdn_lo, gap_mdn_hi = in_gap["MDN"][0.36], in_gap["MDN"][0.64]
gap_gauss_lo, gap_gauss_hi = in_gap["Gaussian"][0.36], in_gap["Gaussian"][0.64]
print(f"RMS(fit - E[y|x]) = {rms:.3f}")
print(f"gap mass: MDN {gap_mdn_lo:.4f} {gap_mdn_hi:.4f}, "
      f"Gaussian {gap_gauss_lo:.4f} {gap_gauss_hi:.4f}")
print(f"held-out NLL: Gaussian {nll_gauss:.3f}, N(E, Var) {nll_hetero:.3f}, "
      f"MDN {nll_mdn:.3f}, truth {nll_true:.3f} nats")

# %%
xs = torch.linspace(0, 1, 201)
with torch.no_grad():
    fit = y_hat(xs[:, None])[:, 0]
    cond_mean = torch.stack([torch.trapezoid(y_grid * true_density(u), y_grid)
                             for u in xs])
    inside = (xs >= 0.05) & (xs <= 0.95)
    dev = (fit - cond_mean).abs() * inside
    max_dev, x_max_dev = dev.max(), xs[dev.argmax()]
    mode_x, mode_y = [], []
    for u in xs.tolist():
        m = modes(mdn_density(u)).tolist()
        mode_x += [u] * len(m)
        mode_y += m
    # how far the middle branch's modes reach, in x (both densities count
    # a bump as a mode above 5 % of the peak); without noise it spans
    # only (0.407, 0.593)
    middle = {}
    for name, dens in (("true", true_density), ("MDN", mdn_density)):
        has = [((modes(dens(u)) - 0.5).abs() < 0.2).any() for u in xs]
        middle[name] = xs[torch.tensor(has)].aminmax()
    for lo, hi in middle.values():
        assert lo < 0.407 - 0.05 and hi > 0.593 + 0.05, "past the folds"
    (reach_true_lo, reach_true_hi), (reach_mdn_lo, reach_mdn_hi) = (
        middle["true"], middle["MDN"])
    x0 = 0.64
    guess = y_hat(torch.tensor([[x0]])).item()
    p_gauss = D.Normal(guess, var.sqrt()).log_prob(y_grid).exp()
    mdn_fold_peak = modes(mdn_density(x0))[0]
print("middle branch reaches x in", {k: (round(lo.item(), 3),
      round(hi.item(), 3)) for k, (lo, hi) in middle.items()})

fig, (ax, ax2) = plt.subplots(
    1, 2, figsize=(9, 3.8), width_ratios=(1.5, 1), num="blur-bishop-inverse",
    layout="constrained",
)
N_SHOWN = 500  # enough training points to show the shape; rasterised,
# the markers keep the SVG light
ax.plot(x[:N_SHOWN], y[:N_SHOWN], ".", color="C7", ms=3, alpha=0.5,
        label=f"data ({N_SHOWN} shown)", rasterized=True)
ax.plot(xs, cond_mean, color="C0", ls=":", label="$\\mathbb{E}[y\\mid x]$")
ax.plot(xs, fit, color="C0", label="MSE fit $\\hat y(x)$")
ax.plot(mode_x, mode_y, ".", color="k", ms=2.5, label="MDN modes",
        rasterized=True, zorder=3)  # on top of the lines
ax.axvline(x0, color="k", lw=0.8, ls=":")
ax.set(
    xlabel="input $x$", ylabel="target $y$", title="Predicting $y$ from $x$"
)
ax.legend(fontsize=8, loc="upper left", markerscale=3)

every = slice(None, None, 4)  # 501 points per curve are plenty to draw
ax2.fill_between(
    y_grid[every],
    true_density(x0)[every],
    color="C7",
    alpha=0.35,
    label="true $p(y|x)$",
)
ax2.plot(y_grid[every], mdn_density(x0).detach()[every], color="k",
         label="MDN")
ax2.plot(y_grid[every], p_gauss[every], color="C0",
         label="Gaussian at MSE fit")
ax2.axvline(guess, color="C0", lw=0.8, ls="--")
ax2.set(xlabel="target $y$", ylabel="density", title=f"One slice: $x = {x0}$")
ax2.legend(fontsize=8, loc="upper center")
plt.show()
