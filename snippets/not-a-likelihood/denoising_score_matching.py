"""Denoising score matching is MSE regression onto (y − ỹ)/σ², and the regression's optimum is the score of the noisy density.

Chapter "When a loss is not a likelihood", denoising score matching (Vincent,
2011). The MSE-optimal regressor is the conditional mean of the target given
ỹ. Monte Carlo, binned by ỹ, shows that conditional mean is ∇log p_σ(ỹ), not
the score of the clean density.
"""

# %%
import matplotlib.pyplot as plt
import torch
from torch.distributions import Categorical, MixtureSameFamily, Normal

SEED = 0
torch.manual_seed(SEED)
weights = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
means = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64)
stds = torch.tensor([0.4, 0.6, 0.3], dtype=torch.float64)


def mixture(extra_var):
    return MixtureSameFamily(Categorical(probs=weights),
                             Normal(means, (stds**2 + extra_var).sqrt()))


def score(dist, x):
    x = x.clone().requires_grad_(True)
    return torch.autograd.grad(dist.log_prob(x).sum(), x)[0]


# %%
# --8<-- [start:dsm]
n = 200_000
edges = torch.linspace(-4, 5, 46, dtype=torch.float64)


def dsm_targets(sigma):
    y = mixture(0.0).sample((n,))  # clean data
    y_noisy = y + sigma * torch.randn(n, dtype=torch.float64)
    target = (y - y_noisy) / sigma**2  # ∇_ỹ log N(ỹ; y, σ²): the DSM target
    return y, y_noisy, target


for sigma in (0.7, 1.0, 1.4):
    y, y_noisy, target = dsm_targets(sigma)
    score_noisy = score(mixture(sigma**2), y_noisy)  # ∇log p_σ(ỹ)
    score_clean = score(mixture(0.0), y_noisy)  # ∇log p_0 at ỹ: wrong target
    bin_of = torch.bucketize(y_noisy, edges)
    z_noisy, z_clean = [], []
    for b in range(1, len(edges)):
        inside = bin_of == b
        if inside.sum() < 1000:
            continue
        for z, s in ((z_noisy, score_noisy), (z_clean, score_clean)):
            resid = target[inside] - s[inside]
            z.append(resid.mean() / (resid.std() / inside.sum().sqrt()))
    z_noisy, z_clean = torch.stack(z_noisy), torch.stack(z_clean)
    # z-scores of at most 3 × 45 bins: if the claim holds, max |z| > 5 has
    # probability about 135 × 5.7e-7 ≈ 8e-5 (Bonferroni): 5 is a fair bar.
    assert z_noisy.abs().max() < 5, (
        "in every bin, E[(y - ỹ)/σ² | ỹ] = ∇log p_σ(ỹ), to Monte Carlo error"
    )
    assert z_clean.abs().max() > 20, (
        "and not the clean score ∇log p_0(ỹ): the test can tell them apart"
    )
    print(f"σ = {sigma}: {len(z_noisy)} bins; max |z|: noisy score",
          f"{z_noisy.abs().max():.2f}, clean score {z_clean.abs().max():.1f}")
# --8<-- [end:dsm]

# %%
sigma = 1.0  # the figure: σ = 1
y, y_noisy, target = dsm_targets(sigma)
bin_of = torch.bucketize(y_noisy, edges)

# %%
grid = torch.linspace(-4, 5, 400, dtype=torch.float64)
centres = (edges[1:] + edges[:-1]) / 2
counts = torch.bincount(bin_of, minlength=len(edges) + 1)[1:len(edges)]
sums = torch.bincount(bin_of, weights=target, minlength=len(edges) + 1)
bin_mean = sums[1:len(edges)] / counts
ok = counts >= 1000
few = torch.randperm(n)[:2500]
fig, (ax_s, ax_d) = plt.subplots(1, 2, figsize=(8, 3.3), num="nal-dsm-score",
                               layout="constrained")
ax_s.scatter(y_noisy[few], target[few], s=2, color="C7", alpha=0.4,
             rasterized=True,  # a point cloud: pixels, not 2500 paths
             label="targets $(y-\\tilde y)/\\sigma^2$")
ax_s.plot(grid, score(mixture(sigma**2), grid), color="k",
          label="$\\nabla \\log p_\\sigma(\\tilde y)$")
ax_s.plot(centres[ok], bin_mean[ok], "o", ms=3.5, color="C0",
          label="binned mean of the targets")
ax_s.set(xlabel="noisy $\\tilde y$", ylabel="regression target",
         ylim=(-5, 5), title="DSM: an MSE regression onto the score")
ax_s.legend(fontsize=8, loc="lower left", markerscale=2)
denoiser = grid + sigma**2 * score(mixture(sigma**2), grid)
y_sums = torch.bincount(bin_of, weights=y, minlength=len(edges) + 1)
ax_d.plot(grid, grid, color="C7", ls=":", label="identity")
ax_d.plot(grid, denoiser, color="k",
          label="$\\tilde y + \\sigma^2\\nabla\\log p_\\sigma(\\tilde y)$")
ax_d.plot(centres[ok], (y_sums[1:len(edges)] / counts)[ok], "o", ms=3.5,
          color="C0", label="binned mean of clean $y$")
for m in means:
    ax_d.axhline(m, color="C7", lw=0.6)
ax_d.set(xlabel="noisy $\\tilde y$", ylabel="$E[y\\mid\\tilde y]$",
         title="Tweedie: the MSE-optimal denoiser")
ax_d.legend(fontsize=8, loc="upper left")
plt.show()
