"""Huber's δ = 1.345 keeps 95 % of the sample mean's efficiency on Gaussian noise; the median keeps 2/π.

Chapter "Noise models side by side". An M-estimator of location with influence
ψ has asymptotic variance E[ψ²] / D² at the noise distribution, where
D = −d/dμ E[ψ(Y − μ)] at the centre (E[ψ′] when ψ is differentiable). At a
standard Gaussian the mean's variance is 1, so 1/variance is the efficiency.
Huber (1964) showed that the density ∝ exp(−ρ_δ) is the least favourable one in
the ε-contaminated Gaussian neighbourhood with 2φ(δ)/δ − 2Φ(−δ) = ε/(1 − ε).
"""

# %%
import math

import torch
from torch.distributions import Normal

SEED = 0
torch.manual_seed(SEED)
std = Normal(0.0, 1.0)
y = torch.linspace(-40, 40, 800001, dtype=torch.float64)
phi = std.log_prob(y).exp()  # standard normal density, for E[·] by quadrature


def expect(values):
    """E[g(Y)] for Y ~ N(0, 1), by the trapezoid rule."""
    return torch.trapezoid(values * phi, y).item()


def slope_of_mean_psi(psi, h=1e-3):
    """D = −d/dμ E[ψ(Y − μ)] at μ = 0, by a central difference: no ψ′ needed.
    E[ψ(Y − μ)] = ∫ ψ(u) φ(u + μ) du, so the shift moves the smooth density."""
    u = psi(y)

    def mean_psi(mu):
        return torch.trapezoid(u * std.log_prob(y + mu).exp(), y).item()

    return -(mean_psi(h) - mean_psi(-h)) / (2 * h)


psis = {
    "Gaussian": lambda r: r,
    "Laplace": lambda r: torch.sign(r),
    "Huber": lambda r, d=1.345: r.clamp(-d, d),
    "Student-t": lambda r, nu=3.0: (nu + 1) * r / (nu + r**2),
    "Cauchy": lambda r: 2 * r / (1 + r**2),
}

# %%
# --8<-- [start:efficiency]
efficiency = {}
for name, psi in psis.items():
    D = slope_of_mean_psi(psi)
    efficiency[name] = D**2 / expect(psi(y) ** 2)  # 1 / asymptotic variance
assert math.isclose(efficiency["Gaussian"], 1.0, rel_tol=1e-9), "the mean: 1"
assert math.isclose(efficiency["Laplace"], 2 / math.pi, rel_tol=1e-6), (
    "the median: 2/π, with D = 2φ(0) although ψ′ = 0 almost everywhere"
)


def huber_efficiency(d):
    """Closed form: E[ψ′] = 2Φ(δ) − 1, E[ψ²] = E[ψ′] − 2δφ(δ) + 2δ²Φ(−δ)."""
    t = torch.tensor(d, dtype=torch.float64)
    core = 2 * std.cdf(t) - 1
    second = core - 2 * d * std.log_prob(t).exp() + 2 * d**2 * std.cdf(-t)
    return (core**2 / second).item()


for d in (0.7, 1.345, 2.0):
    numeric = slope_of_mean_psi(lambda r: r.clamp(-d, d)) ** 2 / expect(
        y.clamp(-d, d) ** 2
    )
    assert math.isclose(huber_efficiency(d), numeric, rel_tol=1e-6), (
        "Huber's efficiency: closed form = quadrature"
    )
assert abs(huber_efficiency(1.345) - 0.95) < 1e-3, "δ = 1.345: 95 % efficiency"
# --8<-- [end:efficiency]
eff_huber, eff_median = efficiency["Huber"], efficiency["Laplace"]
eff_t3, eff_cauchy = efficiency["Student-t"], efficiency["Cauchy"]
v_huber = 1 / eff_huber  # its asymptotic variance at the Gaussian

# %% [markdown]
# The variance formula is an asymptotic statement, so check it by simulation:
# over R samples of size N the variance of the Huber estimate, times N, is
# E[ψ²]/D² within the sampling error of a variance, √(2/R) relative.


# %%
# --8<-- [start:simulation]
def huber_location(samples, d=1.345, steps=100):
    mu = samples.median(1, keepdim=True).values
    for _ in range(steps):
        r = samples - mu
        w = torch.where(r.abs() <= d, 1.0, d / r.abs())
        mu = (w * samples).sum(1, keepdim=True) / w.sum(1, keepdim=True)
    return mu[:, 0]


R, N = 4000, 200
draws = torch.randn(R, N, dtype=torch.float64)
n_var_huber = (N * huber_location(draws).var()).item()
n_var_mean = (N * draws.mean(1).var()).item()
for simulated, eff in ((n_var_huber, eff_huber), (n_var_mean, 1.0)):
    assert abs(simulated * eff - 1) < 5 * math.sqrt(2 / R), (
        "simulated N·variance matches E[ψ²]/D²"
    )
# --8<-- [end:simulation]

# %% [markdown]
# Huber's minimax result: the density exp(−ρ_δ)/Z(δ) equals (1 − ε)·φ(r) in
# its core, so Z(δ) = √(2π)/(1 − ε), and ε solves 2φ(δ)/δ − 2Φ(−δ) = ε/(1 − ε).

# %%
# --8<-- [start:minimax]
for d in (0.7, 1.345, 2.0):
    t = torch.tensor(d, dtype=torch.float64)
    tails = 2 / d * math.exp(-(d**2) / 2)
    Z = math.sqrt(2 * math.pi) * (2 * std.cdf(t).item() - 1) + tails
    eps = 1 - math.sqrt(2 * math.pi) / Z
    lhs = 2 * std.log_prob(t).exp().item() / d - 2 * std.cdf(-t).item()
    assert math.isclose(lhs, eps / (1 - eps), rel_tol=1e-12), (
        "Huber's density is the least favourable for this ε"
    )
    if d == 1.345:
        eps_1345 = eps
# --8<-- [end:minimax]
print(
    f"efficiency at the Gaussian: Huber(1.345) {eff_huber:.4f}, median "
    f"{eff_median:.4f}, t3 {eff_t3:.4f}, Cauchy {eff_cauchy:.4f}; "
    f"simulated N·var {n_var_huber:.3f} vs {1 / eff_huber:.3f}; ε(1.345) = {eps_1345:.4f}"
)
