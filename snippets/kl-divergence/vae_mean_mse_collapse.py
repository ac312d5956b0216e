"""Mean-over-pixels MSE with a summed KL is a VAE with σ² = D/2: its latent collapses and it outputs one blurred average.

Chapter "KL divergence", sections "β = 2σ²" and "AE vs VAE". A tiny VAE on
procedural 12×12 images of discs, squares and bars, trained three ways: the
negative ELBO with σ² = 0.01 (sum of squares + 0.02·KL), with σ² = ½ (sum of
squares + KL, the most common "unweighted" VAE loss), and with σ² = D/2 (the
per-pixel mean MSE + summed KL). A plain autoencoder with the same networks is
trained for comparison, and every decoder is fed draws from the prior N(0, I).
"""

# %%
import math
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
rng = np.random.default_rng(SEED)
torch.manual_seed(SEED)
torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)  # a notebook run may have set float64 earlier
S, N, d = 12, 384, 6  # image side, training images, latent dimensions
D = S * S
STEPS = 300  # full-batch Adam steps for every model


def shapes(n):
    """n soft-edged discs, squares and bars at random positions and sizes, in [0, 1]."""
    yy, xx = np.mgrid[0:S, 0:S] + 0.5
    kind = rng.integers(0, 3, n)
    cx, cy = rng.uniform(3.5, S - 3.5, (2, n))
    r = rng.uniform(1.8, 3.2, n)
    dx, dy = xx[None] - cx[:, None, None], yy[None] - cy[:, None, None]
    disc = np.hypot(dx, dy)
    square = np.maximum(abs(dx), abs(dy)) / 0.85
    bar = np.maximum(abs(dx) / 1.4, abs(dy) * r[:, None, None] / 1.2)  # wide, flat
    dist = np.choose(kind[:, None, None], [disc, square, bar])
    img = 1 / (1 + np.exp(-3 * (r[:, None, None] - dist)))
    return torch.tensor(img.reshape(n, D), dtype=torch.float32)


X = shapes(N)
pixel_var = X.var(0, unbiased=False).mean().item()  # per-pixel variance = MSE of the mean image


def mlp(n_in, n_out):
    return nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, n_out))


# %%
# --8<-- [start:losses]
def vae_loss(x, x_hat, mu, log_var, weighting):
    """Negative ELBO per example (up to scale and constant), or the mean-MSE version."""
    kl = 0.5 * (mu**2 + log_var.exp() - 1 - log_var).sum(-1).mean()  # summed over dims
    if weighting == "mean-MSE + KL":  # σ² = D/2, silently
        return F.mse_loss(x_hat, x) + kl
    sigma2 = {"σ² = 0.01": 0.01, "σ² = 1/2": 0.5}[weighting]
    sse = F.mse_loss(x_hat, x, reduction="sum") / len(x)  # summed over pixels
    return sse / (2 * sigma2) + kl
# --8<-- [end:losses]


def train(weighting, steps=STEPS):
    """Full-batch Adam; returns (encoder, decoder). weighting None = plain autoencoder."""
    enc, dec = mlp(D, d if weighting is None else 2 * d), mlp(d, D)
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=5e-3)
    for _ in range(steps):
        opt.zero_grad()
        h = enc(X)
        if weighting is None:
            loss = F.mse_loss(torch.sigmoid(dec(h)), X, reduction="sum") / N
        else:
            mu, log_var = h.chunk(2, -1)
            z = mu + (0.5 * log_var).exp() * torch.randn_like(mu)
            loss = vae_loss(X, torch.sigmoid(dec(z)), mu, log_var, weighting)
        loss.backward()
        opt.step()
    return enc, dec


# %%
# --8<-- [start:train]
WEIGHTINGS = ["σ² = 0.01", "σ² = 1/2", "mean-MSE + KL"]
models = {w: train(w) for w in WEIGHTINGS}
ae = train(None)
stats = {}
with torch.no_grad():
    for w, (enc, dec) in models.items():
        mu, log_var = enc(X).chunk(2, -1)
        kl_dim = 0.5 * (mu**2 + log_var.exp() - 1 - log_var).mean(0)  # KL per latent dim
        active = (mu.var(0) > 0.01).sum().item()  # Burda et al.: Cov_x E_q[z_u] > 0.01
        mse = F.mse_loss(torch.sigmoid(dec(mu)), X).item()  # per pixel, decoded at the mean
        spread = torch.sigmoid(dec(mu)).var(0).mean().item()  # how much reconstructions differ
        stats[w] = dict(kl=kl_dim.sum().item(), active=active, mse=mse, spread=spread)
    ae_mse = F.mse_loss(torch.sigmoid(ae[1](ae[0](X))), X).item()
# --8<-- [end:train]

# %%
# --8<-- [start:samples]
def nearest_sq_distance(images):
    """Mean over images of the squared distance per pixel to the nearest training image."""
    return (torch.cdist(images, X) ** 2 / D).min(1).values.mean().item()


z_prior = torch.randn(256, d)
with torch.no_grad():
    samples = {w: torch.sigmoid(dec(z_prior)) for w, (enc, dec) in models.items()}
    samples["autoencoder"] = torch.sigmoid(ae[1](z_prior))
nn_dist = {w: nearest_sq_distance(s) for w, s in samples.items()}
# --8<-- [end:samples]

# %%
good, mid, bad = (stats[w] for w in WEIGHTINGS)
assert bad["active"] == 0 and bad["kl"] < 0.05, "mean-MSE + KL: every latent unit collapses"
assert abs(bad["mse"] / pixel_var - 1) < 0.1, "its error is that of the mean image"
assert bad["spread"] < 0.01 * pixel_var, "because every reconstruction is (almost) the same image"
assert good["active"] >= 3 and good["kl"] > 5, "σ² = 0.01: the latent is used"
assert good["mse"] < 0.3 * pixel_var, "and reconstructs far better than the mean image"
assert good["mse"] < mid["mse"] < bad["mse"], "reconstruction worsens as the implied σ² grows"
assert max(nn_dist[w] for w in WEIGHTINGS) < nn_dist["autoencoder"], "prior samples: every VAE's land nearer the data"
assert nn_dist["σ² = 1/2"] < nn_dist["σ² = 0.01"], "and σ² = 1/2 gives better samples than σ² = 0.01"
kl_good, kl_mid, kl_bad = good["kl"], mid["kl"], bad["kl"]
active_good, active_mid, active_bad = good["active"], mid["active"], bad["active"]
mse_good, mse_mid, mse_bad = good["mse"], mid["mse"], bad["mse"]
mse_bad_excess = mse_bad / pixel_var - 1  # how far the mean-MSE run still is from the mean image
nn_good, nn_mid, nn_bad, nn_ae = (nn_dist[w] for w in [*WEIGHTINGS, "autoencoder"])
spread_bad, spread_good = bad["spread"], good["spread"]
sigma2_implied = D / 2
sigma_implied = math.sqrt(sigma2_implied)
for w in WEIGHTINGS:
    print(f"{w:>14}: KL {stats[w]['kl']:.2f} nats, {stats[w]['active']} active units, MSE {stats[w]['mse']:.4f}")
print(f"mean image MSE {pixel_var:.4f}; prior samples, distance to nearest training image: {nn_dist}")

# %%
def show(ax, img):
    """One image with a thin frame and no ticks or grid."""
    ax.imshow(img.reshape(S, S), cmap="Greys", vmin=0, vmax=1)
    ax.set_xticks([]), ax.set_yticks([]), ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True), spine.set_color("0.6")


fig, axes = plt.subplots(5, 8, num="kl-vae-reconstructions", figsize=(6.4, 4.4), layout="constrained")
rows = [("data", X[:8])]
with torch.no_grad():
    rows.append(("autoencoder", torch.sigmoid(ae[1](ae[0](X[:8])))))
    for w, (enc, dec) in models.items():
        rows.append((f"VAE {w}", torch.sigmoid(dec(enc(X[:8]).chunk(2, -1)[0]))))
for (label, imgs), row in zip(rows, axes):
    for img, ax in zip(imgs, row):
        show(ax, img)
    row[0].set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)

fig2, axes2 = plt.subplots(4, 8, num="kl-prior-samples", figsize=(6.4, 3.6), layout="constrained")
for label, row in zip(["autoencoder", *WEIGHTINGS], axes2):
    for img, ax in zip(samples[label][:8], row):
        show(ax, img)
    row[0].set_ylabel(label if label == "autoencoder" else f"VAE {label}", rotation=0, ha="right", va="center", fontsize=9)
plt.show()
