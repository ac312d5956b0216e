"""Decoupled weight decay is an L2 prior for SGD, but not under Adam.

Chapter "MLE vs MAP". On a tiny least-squares problem, SGD's `weight_decay`,
an L2 term (wd/2)‖θ‖² in the loss and decoupled shrinkage are one update.
With heavy-ball momentum, decoupled shrinkage still reaches a Gaussian-prior
MAP, at the coefficient (1 - μ)·wd. Under Adam's per-coordinate scaling,
decoupled decay (AdamW) converges instead to the minimiser of the data term
in the box ‖θ‖∞ ≤ 1/wd (Xie & Li, 2024), which here is the MLE.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(0)
N, D = 32, 5
scales = np.array([3.0, 1.0, 0.3, 1.0, 1.0])  # unequal feature scales
X = torch.tensor(rng.normal(size=(N, D)) * scales)
y = X @ torch.tensor(rng.normal(size=D)) + 0.3 * torch.tensor(
    rng.normal(size=N)
)
theta0 = torch.tensor(rng.normal(size=D))
wd = 0.1


def f(theta):
    """The data term: half the mean squared error (a Gaussian NLL)."""
    return 0.5 * ((X @ theta - y) ** 2).mean()


def run(make_opt, l2=0.0, steps=300, cosine=False):
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

# %% [markdown]
# Plain SGD: `weight_decay`, an L2 term in the loss, and decoupled shrinkage
# θ ← (1 - lr·wd)θ - lr∇f are the same update.

# %%
# --8<-- [start:sgd]
lr = 0.3  # < 2/(largest curvature, 4.8): stable
sgd_wd = run(lambda p: torch.optim.SGD(p, lr=lr, weight_decay=wd))
sgd_l2 = run(lambda p: torch.optim.SGD(p, lr=lr), l2=wd)
theta, sgd_decoupled = theta0.clone(), [theta0.clone()]
for _ in range(300):
    theta = (1 - lr * wd) * theta - lr * grad_f(theta)
    sgd_decoupled.append(theta)
sgd_decoupled = torch.stack(sgd_decoupled)
assert torch.allclose(sgd_wd, sgd_l2, rtol=0, atol=1e-12), (
    "SGD: weight_decay = L2 in the loss"
)
assert torch.allclose(sgd_wd, sgd_decoupled, rtol=0, atol=1e-12), (
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
theta, buf, mom_decoupled = theta0.clone(), torch.zeros(D), [theta0.clone()]
for _ in range(steps):
    buf = mu * buf + grad_f(theta)  # torch's heavy ball (dampening 0)
    theta = (1 - lr * wd) * theta - lr * buf
    mom_decoupled.append(theta)
mom_decoupled = torch.stack(mom_decoupled)
assert torch.allclose(mom_wd, mom_l2, rtol=0, atol=1e-12), (
    "SGD+momentum: torch's weight_decay is L2"
)
assert (mom_wd[-1] - theta_map).abs().max() < 1e-9, "... and reaches the MAP"
assert (mom_decoupled[-1] - ridge((1 - mu) * wd)).abs().max() < 1e-9, (
    "decoupled decay + momentum → the MAP with coefficient (1 - μ)·wd"
)
assert abs((mom_decoupled[-1] - theta_map).norm() - 0.40) < 0.005, (
    "... which is 0.40 from the MAP with wd"
)

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
# `decoupled_weight_decay=True`.

# %%
# --8<-- [start:adam]
lr, b1, b2, eps = 0.05, 0.9, 0.999, 1e-8
adam_wd = run(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=wd))
adam_l2 = run(lambda p: torch.optim.Adam(p, lr=lr), l2=wd)
adamw = run(lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=wd))
assert torch.allclose(adam_wd, adam_l2, rtol=0, atol=1e-12), (
    "Adam's weight_decay is L2 in the loss"
)
adam_dec = run(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=wd,
                                          decoupled_weight_decay=True))
assert torch.allclose(adam_dec, adamw, rtol=0, atol=1e-12), (
    "Adam(decoupled_weight_decay=True) is AdamW"
)

# AdamW by hand: decay θ by lr·wd·θ, then take Adam's step on ∇f alone
theta, m, v, manual = theta0.clone(), torch.zeros(D), torch.zeros(D), []
for t in range(1, 301):
    g = grad_f(theta)
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    theta = theta * (1 - lr * wd) - lr * m_hat / (v_hat.sqrt() + eps)
    manual.append(theta)
assert torch.allclose(adamw[1:], torch.stack(manual), rtol=0, atol=1e-12), (
    "AdamW = decoupled decay + Adam step on the data term"
)
assert (adam_l2[-1] - theta_map).abs().max() < 1e-5, "Adam+L2 → the MAP"
# --8<-- [end:adam]

# %% [markdown]
# Where does AdamW go? After 300 steps it is still moving. To see its limit,
# run it to convergence with a cosine learning-rate schedule (at a constant
# rate Adam's iterates keep jittering) and β₂ = 0.99 (the second-moment
# average then forgets in ~100 steps instead of ~1000). Neither enters the
# fixed point: there m̂ = g and v̂ = g², so g/(|g| + ε) = -wd·θ.

# %%
# --8<-- [start:limit]
d300_map = (adamw[-1] - theta_map).norm()
d300_mle = (adamw[-1] - theta_mle).norm()
assert abs(d300_map - 0.33) < 0.005 and abs(d300_mle - 0.19) < 0.005, (
    "after 300 steps AdamW is 0.33 from the MAP, 0.19 from the MLE"
)
T, betas = 2000, (0.9, 0.99)
adamw_T = run(lambda p: torch.optim.AdamW(p, lr=lr, betas=betas,
                                          weight_decay=wd),
              steps=T, cosine=True)
assert abs(theta_mle.abs().max() - 1.98) < 0.005, "largest MLE weight 1.98"
assert theta_mle.abs().max() < 1 / wd, "box ‖θ‖∞ ≤ 1/wd = 10: inactive"
assert (adamw_T[-1] - theta_mle).norm() < 1e-4, "AdamW → the MLE ..."
assert abs((adamw_T[-1] - theta_map).norm() - 0.51) < 0.01, (
    "... and 0.51 from the MAP"
)

# with wd = 1 the box ‖θ‖∞ ≤ 1 cuts off the MLE's θ₅ = 1.98: the limit is
# least squares with θ₅ held at 1, certified by the KKT conditions
wd_box = 1.0
A, Xty = X.T @ X / N, X.T @ y / N
theta_box = torch.zeros(D)
theta_box[4] = 1 / wd_box
theta_box[:4] = torch.linalg.solve(A[:4, :4], Xty[:4] - A[:4, 4] / wd_box)
g_box = grad_f(theta_box)
assert g_box[:4].abs().max() < 1e-12, "free coordinates: ∇f = 0 ..."
assert theta_box[:4].abs().max() < 1 / wd_box, "... inside the box"
assert g_box[4] < 0, "θ₅ = 1/wd, and -∇f points out of the box: KKT"
adamw_box = run(lambda p: torch.optim.AdamW(p, lr=lr, betas=betas,
                                            weight_decay=wd_box),
                steps=T, cosine=True)
assert (adamw_box[-1] - theta_box).norm() < 1e-3, "AdamW → box solution"
assert abs((theta_box - ridge(wd_box)).norm() - 0.57) < 0.005, (
    "0.57 from the Gaussian-prior MAP with the same wd"
)
assert abs((theta_box - theta_mle).norm() - 1.56) < 0.005, "1.56 from MLE"
# --8<-- [end:limit]
gap = lambda path, ref: (path - ref).norm(dim=1)  # noqa: E731
print(f"AdamW after 300 steps: {d300_map:.3f} from the MAP, {d300_mle:.3f}"
      f" from the MLE; after {T} (cosine): {gap(adamw_T, theta_map)[-1]:.3f}"
      f" / {gap(adamw_T, theta_mle)[-1]:.1e}")
print("box solution", theta_box.numpy().round(3), "AdamW(wd=1) is",
      f"{gap(adamw_box, theta_box)[-1]:.1e} from it;",
      f"|box - MLE| {(theta_box - theta_mle).norm():.2f},",
      f"|box - ridge(1)| {(theta_box - ridge(wd_box)).norm():.2f};",
      f"momentum: |decoupled - MAP| "
      f"{(mom_decoupled[-1] - theta_map).norm():.2f}")

# %% [markdown]
# Exercise 3: Adam's first step is ±lr in every coordinate, so an L2 term
# changes it only where it flips the sign of the gradient: with wd = 1 it
# flips the third coordinate, with wd = 0.1 none. AdamW's first step adds
# -lr·wd·θ on top.

# %%
g0 = grad_f(theta0)
step = run(lambda p: torch.optim.Adam(p, lr=lr), steps=1)[1] - theta0
assert torch.allclose(step, -lr * torch.sign(g0), rtol=1e-6), "-lr·sign(g)"
for c, flips in ((wd, [False] * 5), (1.0, [False, False, True, False, False])):
    flipped = torch.sign(g0 + c * theta0) != torch.sign(g0)
    assert flipped.tolist() == flips, "wd = 1 flips the third coordinate"
    step = run(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=c),
               steps=1)[1] - theta0
    assert torch.allclose(step, -lr * torch.sign(g0 + c * theta0),
                          rtol=1e-6), "Adam + L2: -lr·sign(g + wd·θ)"
    step = run(lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=c),
               steps=1)[1] - theta0
    assert torch.allclose(step, -lr * torch.sign(g0) - lr * c * theta0,
                          rtol=1e-6), "AdamW: -lr·sign(g) - lr·wd·θ"

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(8, 3.5), sharey=True,
                               num="map-weight-decay-adamw")
t300, tT = np.arange(301), np.arange(T + 1)
ax0.plot(t300, gap(sgd_wd, theta_map), color="k",
         label="SGD, weight_decay (= L2)")
ax0.plot(t300, gap(adam_l2, theta_map), color="k", ls="--",
         label="Adam, weight_decay (= L2)")
ax0.plot(t300, gap(adamw, theta_map), color="k", ls=":", lw=2.4,
         label="AdamW")
ax0.set_title("300 steps, constant lr: distance\n"
              r"to the MAP, $\arg\min\, f+\frac{\mathrm{wd}}{2}"
              r"\|\theta\|^2$", fontsize=10)
ax0.set_ylabel(r"distance $\|\theta_t-\theta^\ast\|$")
ax0.legend(loc="lower left", fontsize=8)
ax1.plot(tT, gap(adamw_T, theta_map), color="k", ls=":", lw=2.4,
         label="AdamW, to the MAP")
ax1.plot(tT, gap(adamw_T, theta_mle), color="k", ls="-.",
         label=r"AdamW, to the MLE, $\arg\min\, f$")
ax1.plot(tT, gap(adamw_box, theta_box), color="k", ls=(0, (4, 1, 1, 1, 1, 1)),
         label="AdamW with wd = 1, to\n"
               r"$\arg\min\, f$ s.t. $\|\theta\|_\infty\leq 1$")
ax1.set_title("AdamW run to convergence\n"
              r"(cosine lr, $\beta_2 = 0.99$)", fontsize=10)
ax1.legend(loc="lower left", fontsize=8)
for ax in (ax0, ax1):
    ax.set_yscale("log")
    ax.set_ylim(1e-8, 10)
    ax.set_xlabel("step")
plt.show()
