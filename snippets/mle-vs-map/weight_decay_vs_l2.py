"""Decoupled weight decay is an L2 prior for SGD, but not under Adam.

Chapter "MLE vs MAP". On a tiny least-squares problem, SGD's `weight_decay`,
an L2 term (wd/2)‖θ‖² in the loss and decoupled shrinkage are one update.
With heavy-ball momentum, decoupled shrinkage still reaches a Gaussian-prior
MAP, at the coefficient (1 - μ)·wd. Under Adam's per-coordinate scaling,
decoupled decay (AdamW), run here until it converges, ends at the minimiser
of the data term in the box ‖θ‖∞ ≤ 1/wd, as Xie & Li (2024) prove for any
convergent run on a convex loss; here that is the MLE when the box is wide.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
SEED = 0
rng = np.random.default_rng(SEED)
N, D = 64, 5
scales = np.array([3.0, 1.0, 0.5, 1.0, 1.0])  # unequal feature scales
X = torch.tensor(rng.normal(size=(N, D)) * scales)
theta_true = torch.tensor([0.5, -0.5, 0.2, 0.3, 1.8])  # θ₅ > 1: see below
y = X @ theta_true + 0.3 * torch.tensor(rng.normal(size=N))
theta0 = torch.tensor(rng.normal(size=D))
wd = 0.1


def f(theta):
    """The data term: half the mean squared error (a Gaussian NLL)."""
    return 0.5 * ((X @ theta - y) ** 2).mean()


def run(make_opt, l2=0.0, steps=500, cosine=False):
    """Trajectory of an optimiser on f(θ) + (l2/2)‖θ‖²."""
    theta = theta0.clone().requires_grad_()
    opt = make_opt([theta])
    if cosine:  # learning rate decays from lr to 0 over the run
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    path = [theta.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        (f(theta) + 0.5 * l2 * theta @ theta).backward()
        opt.step()
        if cosine:
            sched.step()
        path.append(theta.detach().clone())
    return torch.stack(path)


def grad_f(theta):
    return X.T @ (X @ theta - y) / N


def ridge(c):
    """argmin f(θ) + (c/2)‖θ‖², the MAP of a Gaussian prior; c = 0: MLE."""
    return torch.linalg.solve(X.T @ X / N + c * torch.eye(D), X.T @ y / N)


theta_mle, theta_map = ridge(0.0), ridge(wd)
eigs = torch.linalg.eigvalsh(X.T @ X / N)  # the curvatures of f
curvature = eigs.max().item()

# %% [markdown]
# Plain SGD: `weight_decay`, an L2 term in the loss, and decoupled shrinkage
# θ ← (1 - lr·wd)θ - lr∇f are the same update.

# %%
# --8<-- [start:sgd]
# the best fixed step for a quadratic, 2/(largest + smallest curvature)
lr = 2 / (curvature + eigs.min().item() + 2 * wd)
sgd_wd = run(lambda p: torch.optim.SGD(p, lr=lr, weight_decay=wd))
sgd_l2 = run(lambda p: torch.optim.SGD(p, lr=lr), l2=wd)
theta, sgd_decoupled = theta0.clone(), [theta0.clone()]
for _ in range(500):
    theta = (1 - lr * wd) * theta - lr * grad_f(theta)
    sgd_decoupled.append(theta)
sgd_decoupled = torch.stack(sgd_decoupled)
assert torch.allclose(sgd_wd, sgd_l2, rtol=1e-12, atol=1e-12), (
    "SGD: weight_decay = L2 in the loss"
)
assert torch.allclose(sgd_wd, sgd_decoupled, rtol=1e-12, atol=1e-12), (
    "SGD: weight_decay = decoupled shrinkage"
)
assert (sgd_wd[-1] - theta_map).abs().max() < 1e-5, "SGD reaches the MAP"
# --8<-- [end:sgd]

# %% [markdown]
# Exercise 4: with `MSELoss` (a mean, no ½) and `weight_decay=wd`, the
# stationary point is ridge with λ = N·wd/2, i.e. a prior with τ² = 2σ²/(N·wd).

# %%
lam_eff = N * wd / 2
theta_eff = torch.linalg.solve(X.T @ X + lam_eff * torch.eye(D), X.T @ y)
th = theta_eff.clone().requires_grad_()
g = torch.autograd.grad(torch.nn.MSELoss()(X @ th, y), th)[0] + wd * th
assert g.abs().max() < 1e-12, "MSELoss + weight_decay: ridge with λ = N·wd/2"

# %% [markdown]
# Heavy-ball momentum: torch's `weight_decay` is still an L2 term (it is
# added to the gradient). Decoupled shrinkage is a different trajectory, but
# at its fixed point buf = g/(1 - μ), so g = -(1 - μ)·wd·θ: it is the MAP of
# a Gaussian prior with coefficient (1 - μ)·wd.

# %%
# --8<-- [start:momentum]
lr, mu, steps = 0.05, 0.9, 600
mom_wd = run(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu,
                                       weight_decay=wd), steps=steps)
mom_l2 = run(lambda p: torch.optim.SGD(p, lr=lr, momentum=mu), l2=wd,
             steps=steps)
theta, buf = theta0.clone(), torch.zeros(D)
for _ in range(steps):
    buf = mu * buf + grad_f(theta)  # torch's heavy ball (dampening 0)
    theta = (1 - lr * wd) * theta - lr * buf
mom_decoupled = theta
assert torch.allclose(mom_wd, mom_l2, rtol=1e-12, atol=1e-12), (
    "SGD+momentum: torch's weight_decay is L2"
)
assert (mom_wd[-1] - theta_map).abs().max() < 1e-9, "... and reaches the MAP"
assert (mom_decoupled - ridge((1 - mu) * wd)).abs().max() < 1e-9, (
    "decoupled decay + momentum → the MAP with coefficient (1 - μ)·wd"
)
mom_gap = (mom_decoupled - theta_map).norm()  # quoted on the page
assert mom_gap > 1e-3, "... which is not the MAP with wd"

# with an averaged buffer (dampening μ), buf = g at the fixed point, so the
# coefficient is wd itself; lr / (1 - μ) keeps the same gradient step
theta, buf = theta0.clone(), torch.zeros(D)
for _ in range(steps):
    buf = mu * buf + (1 - mu) * grad_f(theta)
    theta = (1 - lr / (1 - mu) * wd) * theta - lr / (1 - mu) * buf
assert (theta - theta_map).abs().max() < 1e-9, "averaged buffer: wd"
# --8<-- [end:momentum]

# %% [markdown]
# Adam: `torch.optim.Adam(weight_decay=wd)` is L2 in the loss. AdamW decays
# the weights outside the adaptive step, as does `Adam` with
# `decoupled_weight_decay=True`. And the defaults differ: AdamW decays by
# default, Adam does not.

# %%
# --8<-- [start:adam]
probe = [torch.zeros(1, requires_grad=True)]
adam_default = torch.optim.Adam(probe).defaults["weight_decay"]
adamw_default = torch.optim.AdamW(probe).defaults["weight_decay"]
assert adam_default == 0 and adamw_default == 0.01, (
    "Adam's default weight_decay is 0, AdamW's is 0.01"
)

lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
adam_wd = run(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=wd))
adam_l2 = run(lambda p: torch.optim.Adam(p, lr=lr), l2=wd)
adamw = run(lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=wd))
assert torch.allclose(adam_wd, adam_l2, rtol=1e-12, atol=1e-12), (
    "Adam's weight_decay is L2 in the loss"
)
adam_dec = run(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=wd,
                                          decoupled_weight_decay=True))
assert torch.allclose(adam_dec, adamw, rtol=1e-12, atol=1e-12), (
    "Adam(decoupled_weight_decay=True) is AdamW"
)

# AdamW by hand: decay θ by lr·wd·θ, then take Adam's step on ∇f alone
theta, m, v, manual = theta0.clone(), torch.zeros(D), torch.zeros(D), []
for t in range(1, 501):
    g = grad_f(theta)
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    theta = theta * (1 - lr * wd) - lr * m_hat / (v_hat.sqrt() + eps)
    manual.append(theta)
assert torch.allclose(adamw[1:], torch.stack(manual), rtol=1e-10,
                      atol=1e-12), "AdamW = decoupled decay + Adam step on f"
assert (adam_l2[-1] - theta_map).abs().max() < 1e-5, "Adam+L2 → the MAP"
# --8<-- [end:adam]

# %% [markdown]
# Where does AdamW go? After 500 steps it is still moving. To see its limit,
# run it to convergence with a cosine learning-rate schedule (at a constant
# rate Adam's iterates keep jittering) and β₂ = 0.95 (the second-moment
# average then forgets in ~20 steps instead of ~1000). Neither enters the
# fixed point: there m̂ = g and v̂ = g², so g/(|g| + ε) = -wd·θ.

# %%
# --8<-- [start:limit]
d500_map = (adamw[-1] - theta_map).norm()  # quoted on the page
d500_mle = (adamw[-1] - theta_mle).norm()
T, betas = 1000, (0.9, 0.95)
adamw_T = run(lambda p: torch.optim.AdamW(p, lr=lr, betas=betas,
                                          weight_decay=wd),
              steps=T, cosine=True)
mle_max = theta_mle.abs().max()
assert mle_max < 1 / wd, "box ‖θ‖∞ ≤ 1/wd = 10: the MLE is inside"
assert (adamw_T[-1] - theta_mle).norm() < 1e-5, "AdamW → the MLE ..."
map_gap = (adamw_T[-1] - theta_map).norm()
assert map_gap > 100 * (adamw_T[-1] - theta_mle).norm(), "... not the MAP"


def box_fit(c, iters=2000):
    """argmin f(θ) s.t. ‖θ‖∞ ≤ 1/c: projected gradient descent finds which
    coordinates sit on the box's edge, then the others are solved exactly."""
    theta, step = torch.zeros(D), 1 / curvature
    for _ in range(iters):
        theta = (theta - step * grad_f(theta)).clamp(-1 / c, 1 / c)
    edge = theta.abs() > 1 / c - 1e-6
    theta = torch.where(edge, torch.sign(theta) / c, 0.0)
    A, Xty = X.T @ X / N, X.T @ y / N
    free = ~edge
    theta[free] = torch.linalg.solve(A[free][:, free],
                                     Xty[free] - A[free][:, edge] @ theta[edge])
    return theta


# with wd = 0.8 the box ‖θ‖∞ ≤ 1.25 cuts off the MLE's θ₅ (θ_true,5 = 1.8);
# the limit is the least-squares fit in the box, certified by KKT
wd_box = 0.8
theta_box = box_fit(wd_box)
g_box = grad_f(theta_box)
edge = theta_box.abs() > 1 / wd_box - 1e-9  # coordinates on the box's edge
assert edge[4] and theta_mle.abs().max() > 1 / wd_box, "the box binds"
assert g_box[~edge].abs().max() < 1e-10, "free coordinates: ∇f = 0 ..."
assert torch.all(g_box[edge] * theta_box[edge] < 0), (
    "... and on the edge, −∇f points out of the box: KKT"
)
adamw_box = run(lambda p: torch.optim.AdamW(p, lr=lr, betas=betas,
                                            weight_decay=wd_box),
                steps=T, cosine=True)
box_dist = (adamw_box[-1] - theta_box).norm()
assert box_dist < 1e-3, "AdamW → box solution"
box_map_gap = (theta_box - ridge(wd_box)).norm()  # quoted on the page
box_mle_gap = (theta_box - theta_mle).norm()
assert box_map_gap > 100 * box_dist, "not the Gaussian-prior MAP, same wd"
# --8<-- [end:limit]
gap = lambda path, ref: (path - ref).norm(dim=1)  # noqa: E731
mle_dist = gap(adamw_T, theta_mle)[-1]  # quoted on the page
print(f"AdamW after 500 steps: {d500_map:.3f} from the MAP, {d500_mle:.3f}"
      f" from the MLE; after {T} (cosine): {map_gap:.3f} / {mle_dist:.1e}")
print("box solution", theta_box.numpy().round(3), "AdamW(wd=0.8) is",
      f"{box_dist:.1e} from it; |box - MLE| {box_mle_gap:.2f},",
      f"|box - ridge(0.8)| {box_map_gap:.2f}; momentum: |decoupled - MAP| "
      f"{mom_gap:.2f}")

# %% [markdown]
# Exercise 3: Adam's first step is ±lr in every coordinate, so an L2 term
# changes it only where it flips the sign of the gradient. AdamW's first
# step adds -lr·wd·θ on top. Checked from 20 random starts at once (Adam is
# elementwise, so one (20, D) parameter is 20 independent runs).

# %%
starts = torch.tensor(rng.normal(size=(20, D)))
G0 = (starts @ X.T - y) @ X / N  # ∇f at each start, one row per start


def first_step(make_opt):
    theta = starts.clone().requires_grad_()
    opt = make_opt([theta])
    (0.5 * ((theta @ X.T - y) ** 2).mean(dim=1).sum()).backward()
    opt.step()
    return theta.detach() - starts


def smoothed_sign(u):
    """Adam's first step, exactly: m̂₁ = u and v̂₁ = u², so u/(|u| + ε)."""
    return u / (u.abs() + eps)


step = first_step(lambda p: torch.optim.Adam(p, lr=lr))
assert torch.allclose(step, -lr * smoothed_sign(G0), rtol=1e-9,
                      atol=1e-15), "-lr·g/(|g| + ε) ≈ -lr·sign(g)"
flips = 0
for c in (wd, 1.0, 10.0):
    step = first_step(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=c))
    assert torch.allclose(step, -lr * smoothed_sign(G0 + c * starts),
                          rtol=1e-9, atol=1e-15), "Adam + L2: sign(g + wd·θ)"
    step = first_step(lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=c))
    assert torch.allclose(step, -lr * smoothed_sign(G0) - lr * c * starts,
                          rtol=1e-9, atol=1e-15), "AdamW: sign(g) - lr·wd·θ"
    flips += int((torch.sign(G0 + c * starts) != torch.sign(G0)).sum())
assert flips > 0, "the L2 term flips some steps, so the check can tell"

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8, 3.6), sharey=True,
                               num="map-weight-decay-adamw",
                               layout="constrained")
t500, tT = np.arange(501), np.arange(T + 1)
curves0 = [
    (gap(sgd_wd, theta_map), "k", "-", "SGD, weight_decay (= L2)"),
    (gap(adam_l2, theta_map), "C7", "--", "Adam, weight_decay (= L2)"),
    (gap(adamw, theta_map), "C3", ":", "AdamW"),
]
curves1 = [
    (gap(adamw_T, theta_map), "C3", ":", "to the MAP"),
    (gap(adamw_T, theta_mle), "C3", "-", r"to the MLE, $\arg\min f$"),
    (gap(adamw_box, theta_box), "k", "-",
     "wd = 0.8: to $\\arg\\min f$\ns.t. $\\|\\theta\\|_\\infty\\leq 1.25$"),
]
for ax, t, curves in ((ax0, t500, curves0), (ax1, tT, curves1)):
    for dist, color, ls, label in curves:
        ax.plot(t, dist, color=color, ls=ls, lw=1.4, label=label)
    ax.set_yscale("log")
    ax.set_ylim(1e-8, 10)
    ax.set_xlabel("step")
    ax.legend(loc="lower left", fontsize=8)
ax0.set_title("500 steps, constant lr: distance\n"
              r"to the MAP, $\arg\min\, f+\frac{\mathrm{wd}}{2}"
              r"\|\theta\|^2$", fontsize=10)
ax0.set_ylabel(r"distance $\|\theta_t-\theta^\ast\|$")
ax1.set_title("AdamW (wd = 0.1 unless stated) run to\n"
              r"convergence (cosine lr, $\beta_2 = 0.95$)", fontsize=10)
plt.show()
