"""Many small perturbations sum to Gaussian noise; one large one does not.

Chapter "Three things that get conflated", the temperature sensor. A sensor in
a reference bath at exactly 20 °C reads 20 °C plus 60 small perturbations, none
of them Gaussian. Their sum is close to Gaussian: its CDF is within 0.02 of Φ,
although a skewness test on 20 000 readings can still detect its skewness
γ₁ = 0.086. Add one loose connector whose rare spikes carry most of the
variance, and the residuals are far from Gaussian: the central limit theorem
needs every term to be small.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

SEED = 0
rng = np.random.default_rng(SEED)
n, T = 20_000, 20.0  # readings; the bath's true temperature in °C
a = 0.01  # standard deviation of each small perturbation, °C

# %%
# --8<-- [start:perturb]
# 60 small perturbations per reading, each with standard deviation a:
switching = a * rng.choice([-1.0, 1.0], size=(n, 20))  # two-valued
quantize = a * math.sqrt(3) * rng.uniform(-1, 1, size=(n, 20))  # flat
pulses = a * (rng.exponential(1.0, size=(n, 20)) - 1.0)  # skewed
small = np.hstack([switching, quantize, pulses])
reading = T + small.sum(axis=1)

# a loose connector: on 2 % of readings, a spike of ±1 °C
spike = rng.choice([-1.0, 1.0], n) * (rng.random(n) < 0.02)
reading_glitchy = reading + spike
# --8<-- [end:perturb]

# %% [markdown]
# Cumulants of independent terms add, so the skewness γ₁ = κ₃/σ³ and the
# excess kurtosis γ₂ = κ₄/σ⁴ of the sum are known exactly. Per unit variance
# a two-valued ±1 term has κ₄ = −2, a uniform κ₄ = −1.2, and a centred
# exponential κ₃ = 2, κ₄ = 6.

# %%
# --8<-- [start:cumulants]
var_small = 60 * a**2
gamma1 = 20 * 2 * a**3 / var_small**1.5  # 40 / 60^1.5
gamma2 = 20 * (-2 - 1.2 + 6) * a**4 / var_small**2  # 56 / 3600
p, G = 0.02, 1.0  # the spike: probability and size
var_glitchy = var_small + p * G**2
kappa4_spike = p * G**4 - 3 * (p * G**2) ** 2
gamma2_glitchy = (kappa4_spike + 20 * 2.8 * a**4) / var_glitchy**2
# --8<-- [end:cumulants]
# the values (7) prints: 40/60^1.5 and 56/3600
assert abs(gamma1 - 0.086) < 5e-4 and abs(gamma2 - 0.016) < 5e-4, "(7)"


def skew_kurt(r):
    z = (r - r.mean()) / r.std()
    return np.mean(z**3), np.mean(z**4) - 3


erf = np.vectorize(math.erf)


def ks_to_gaussian(r, sd):
    """sup |F_n - Φ(r/sd)|: distance to N(0, sd²), the sum's own variance."""
    z = np.sort(r) / sd
    cdf = 0.5 * (1 + erf(z / math.sqrt(2)))
    i = np.arange(1, z.size + 1)
    return max(np.max(i / z.size - cdf), np.max(cdf - (i - 1) / z.size))


# %% [markdown]
# How far from the Gaussian may the sum's empirical CDF be? The DKW inequality
# with Massart's constant bounds sup|F_n − F| by √(log(2/α)/2n) with
# probability 1 − α; the first Edgeworth terms bound sup|F − Φ| for the
# exact distribution F of a sum with skewness γ₁ and excess kurtosis γ₂.

# %%
# --8<-- [start:check]
r = reading - T  # residuals against the known temperature
r_glitchy = reading_glitchy - T
s1, k1 = skew_kurt(r)
s2, k2 = skew_kurt(r_glitchy)

zz = np.linspace(-8, 8, 16_001)
phi = np.exp(-(zz**2) / 2) / math.sqrt(2 * math.pi)


def edgeworth_terms(z):
    """The three corrections of (8), F(z) ≈ Φ(z) − φ(z) [...], one per row."""
    phi_z = np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    return phi_z * np.array([
        gamma1 / 6 * (z**2 - 1),
        gamma2 / 24 * (z**3 - 3 * z),
        gamma1**2 / 72 * (z**5 - 10 * z**3 + 15 * z),
    ])


edgeworth = np.max(np.abs(edgeworth_terms(zz)), axis=1).sum()  # (8)
dkw = math.sqrt(math.log(2 / 1e-3) / (2 * n))  # α = 0.001
threshold = dkw + edgeworth

# many small terms: skewness and excess kurtosis near 0, as predicted ...
assert abs(gamma1) < 0.1 and abs(gamma2) < 0.02, "predicted near 0"
assert abs(s1 - gamma1) < 4 * math.sqrt(6 / n), "sample skewness ≈ γ₁"
assert abs(k1 - gamma2) < 4 * math.sqrt(24 / n), "sample kurtosis ≈ γ₂"
# close to Gaussian, not exactly: γ₁ is 5 standard errors √(6/n) from 0
assert gamma1 / math.sqrt(6 / n) > 4.5, "a skewness test can detect γ₁"
# ... and the empirical CDF within the threshold of the Gaussian's
D_small = ks_to_gaussian(r, math.sqrt(var_small))
assert D_small < threshold, "the sum of small terms is close to Gaussian"

# the exact CDF F of the standardised sum, by inverting its characteristic
# function, a product over the 60 terms (Gil-Pelaez: F(z) = ½ − (1/π)
# ∫₀^∞ Im[e^{−itz} φ(t)] / t dt, midpoint rule; φ is below 1e-10 past t = 40)
t = (np.arange(4000) + 0.5) * 0.01
u = t / math.sqrt(60)  # each term's scale a over the sum's σ = a √60
char = (np.cos(u) ** 20  # two-valued ±a
        * (np.sin(math.sqrt(3) * u) / (math.sqrt(3) * u)) ** 20  # uniform
        * (np.exp(-1j * u) / (1 - 1j * u)) ** 20)  # a (Exp(1) − 1)
z_exact = np.linspace(-6, 6, 1201)
F_exact = 0.5 - (np.imag(np.exp(-1j * np.outer(z_exact, t)) * char) / t).sum(
    1) * 0.01 / math.pi
Phi_exact = 0.5 * (1 + erf(z_exact / math.sqrt(2)))
gap_exact = np.max(np.abs(F_exact - Phi_exact))  # sup |F − Φ|
remainder = np.max(np.abs(
    F_exact - (Phi_exact - edgeworth_terms(z_exact).sum(0))))
assert gap_exact < edgeworth, "(8) bounds the exact gap sup |F − Φ|"
assert remainder < 0.05 * gap_exact, (
    "(7)'s cumulants in the Edgeworth terms account for the gap to Φ"
)
# and the data follow F, within the DKW bound
z_data = np.sort(r) / math.sqrt(var_small)
F_n = np.searchsorted(z_data, z_exact, side="right") / n
assert np.max(np.abs(F_n - F_exact)) < dkw, "the residuals follow F"

# one dominant term (77 % of the variance): heavy tails, far from Gaussian
assert p * G**2 / var_glitchy > 0.75, "the spike dominates the variance"
assert gamma2_glitchy > 25 and k2 > 10, "large excess kurtosis"
D_glitchy = ks_to_gaussian(r_glitchy, math.sqrt(var_glitchy))
assert D_glitchy > 5 * threshold, "the glitchy residuals are not Gaussian"
# --8<-- [end:check]

# the numbers the page quotes
se_skew = math.sqrt(6 / n)  # standard error of a sample skewness
gamma1_in_se, s1_in_se = gamma1 / se_skew, s1 / se_skew
spike_share = p * G**2 / var_glitchy
small_over_threshold = D_small / threshold
glitchy_over_threshold = D_glitchy / threshold
remainder_share = remainder / gap_exact
print(
    f"small terms: skew {s1:.3f} (γ₁ {gamma1:.3f}), "
    f"excess kurtosis {k1:.3f} (γ₂ {gamma2:.3f}), "
    f"KS {D_small:.4f} < {threshold:.4f} (DKW {dkw:.4f} + Edgeworth "
    f"{edgeworth:.4f})"
)
print(
    f"with spikes: skew {s2:.3f}, excess kurtosis {k2:.1f} "
    f"(γ₂ {gamma2_glitchy:.1f}), KS {D_glitchy:.3f}"
)

# %%
fig, (ax1, ax2) = plt.subplots(
    1, 2, figsize=(9, 3.8), num="three-things-sensor-clt",
    layout="constrained",
)
cases = [
    (r, math.sqrt(var_small), "60 small terms", "C7"),
    (r_glitchy, math.sqrt(var_glitchy), "+ rare ±1 °C spike", "0.15"),
]
edge = math.ceil(max(np.abs(res).max() / sd for res, sd, *_ in cases))
bins = np.linspace(-edge, edge, 20 * edge + 1)  # every reading is shown
for res, sd, label, color in cases:
    ax1.hist(res / sd, bins=bins, density=True, histtype="step",
             color=color, lw=1.4, label=label)
ax1.plot(zz, phi, "C0--", lw=1.2, label="Gaussian $\\mathcal{N}(0, 1)$")
ax1.set_yscale("log")
ax1.set(xlim=(-edge, edge), ylim=(1e-4, 3), xlabel="residual ÷ its std. dev.",
        ylabel="density (log scale)", title="Histogram")
ax1.legend(fontsize=8, loc="upper left")

q = (np.arange(1, n + 1) - 0.5) / n
# normal quantiles by bisection on erf, to stay within numpy + math
lo, hi = np.full(n, -9.0), np.full(n, 9.0)
for _ in range(60):
    mid = (lo + hi) / 2
    below = 0.5 * (1 + erf(mid / math.sqrt(2))) < q
    lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
normal_q = (lo + hi) / 2
for res, sd, label, color in cases:
    ax2.plot(normal_q, np.sort(res) / sd, ".", ms=2, color=color,
             label=label)
ax2.plot([-4.5, 4.5], [-4.5, 4.5], "C0--", lw=1.2, label="Gaussian")
ax2.set(xlabel="Gaussian quantile", ylabel="residual quantile ÷ std. dev.",
        title="Normal Q–Q plot")
ax2.legend(fontsize=8, loc="upper left", markerscale=4)
plt.show()
