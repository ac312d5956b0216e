"""One extra observation at y₀ moves a location M-estimate by ψ(y₀ − μ̂)/Σᵢ ψ′(rᵢ), to first order: the influence function.

Chapter "Noise models side by side", the exercise on Hampel's influence
function. The check adds one point at each of 81 positions to 200 Gaussian
draws and compares the exact shift of the estimate with the first-order one.
"""

# %%
import torch

SEED = 0
torch.manual_seed(SEED)
n, delta = 200, 1.345
y = torch.randn(n, dtype=torch.float64)
models = {  # ψ and ψ′ for unit scales
    "Gaussian": (lambda r: r, lambda r: torch.ones_like(r)),
    "Huber": (
        lambda r: r.clamp(-delta, delta),
        lambda r: (r.abs() <= delta).double(),
    ),
    "Cauchy": (
        lambda r: 2 * r / (1 + r**2),
        lambda r: 2 * (1 - r**2) / (1 + r**2) ** 2,
    ),
}


def location(psi, samples, steps=500):
    """Solve Σ ψ(yᵢ − μ) = 0 for each row, by reweighting (weights ψ(r)/r)."""
    mu = samples.median(-1, keepdim=True).values
    for _ in range(steps):
        r = samples - mu
        r = torch.where(r.abs() < 1e-12, 1e-12, r)
        w = psi(r) / r
        new = (w * samples).sum(-1, keepdim=True) / w.sum(-1, keepdim=True)
        done = (new - mu).abs().max() < 1e-14
        mu = new
        if done:
            break
    return mu[..., 0]


# %%
# --8<-- [start:pull]
y0 = torch.linspace(-20, 20, 81, dtype=torch.float64)  # the extra point
with_extra = torch.cat([y.expand(len(y0), n), y0[:, None]], 1)
at_20 = {}  # the shift at y₀ = 20, and as a fraction of the largest shift
for name, (psi, dpsi) in models.items():
    mu = location(psi, y)
    shift = location(psi, with_extra) - mu  # exact
    first_order = psi(y0 - mu) / dpsi(y - mu).sum()
    peak = first_order.abs().max()
    assert (shift - first_order).abs().max() < 2 / n * peak, (
        f"{name}: the shift is ψ(y₀ − μ̂)/Σψ′ up to O(1/n)"
    )
    at_20[name] = (shift[-1].item(), (shift[-1] / shift.abs().max()).item())
    print(f"{name:8s} largest shift {shift.abs().max():.5f}, "
          f"shift for y₀ = 20: {shift[-1]:+.5f}")
# --8<-- [end:pull]
shift_20_mean, shift_20_huber = at_20["Gaussian"][0], at_20["Huber"][0]
shift_20_cauchy, cauchy_20_of_peak = at_20["Cauchy"]
