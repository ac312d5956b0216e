"""The Student-t NLL is a log loss, (ν+1)/2 · log(1 + r²/(νs²)), plus constants; torch has no built-in loss for it.

Chapter "Losses are negative log-likelihoods", the Student-t row of the table.
Its influence ψ(r) = ∂NLL/∂r rises, peaks at |r| = s√ν and falls back to zero:
gross outliers stop pulling on the fit.
"""

# %%
import math

import torch
from torch.distributions import Normal, StudentT

SEED = 0
torch.manual_seed(SEED)
# generic (ν, s): s√ν, νs² and sν/2 all differ, so a wrong peak formula shows
pairs = ((3.0, 0.7), (6.0, 1.3))

# %%
for nu, s in pairs:
    y = StudentT(nu, 0.0, s).sample((500,)).double()
    y_hat = torch.zeros_like(y) + 0.1
    # --8<-- [start:nll]
    r = y - y_hat
    const = (
        -math.lgamma((nu + 1) / 2)
        + math.lgamma(nu / 2)
        + 0.5 * math.log(nu * math.pi * s**2)
    )
    nll = (nu + 1) / 2 * torch.log1p(r**2 / (nu * s**2)) + const
    assert torch.allclose(nll, -StudentT(nu, y_hat, s).log_prob(y)), (
        "Student-t NLL formula"
    )
    # --8<-- [end:nll]

# %% [markdown]
# The influence function ψ(r) = (ν+1) r / (νs² + r²) is redescending: its
# maximum is at |r| = s√ν, with height (ν+1)/(2s√ν), and it tends to 0 for
# large residuals.

# %%
rr = torch.linspace(0, 50, 500001, dtype=torch.float64, requires_grad=True)
for nu, s in pairs:
    # --8<-- [start:influence]
    (psi,) = torch.autograd.grad(
        (-StudentT(nu, 0.0, s).log_prob(rr)).sum(), rr
    )
    assert torch.allclose(psi, (nu + 1) * rr / (nu * s**2 + rr**2)), (
        "ψ(r) formula"
    )
    peak = s * math.sqrt(nu)
    assert abs(rr[psi.argmax()] - peak) < 1e-3, "ψ peaks at s√ν"
    assert math.isclose(psi.max(), (nu + 1) / (2 * peak), rel_tol=1e-6), (
        "with height (ν+1)/(2s√ν)"
    )
    assert psi[-1] < 0.2 * psi.max(), "and redescends toward 0"
    # --8<-- [end:influence]

# %% [markdown]
# As ν → ∞ the Student-t becomes the Gaussian with σ = s, and the gap between
# the two NLLs shrinks like 1/ν.

# %%
nu, s = pairs[0]
x = torch.linspace(-6 * s, 6 * s, 61, dtype=torch.float64)  # |r| ≤ 6s
gaps = [
    (
        StudentT(torch.tensor(df, dtype=torch.float64), 0.0, s).log_prob(x)
        - Normal(0.0, s).log_prob(x)
    )
    .abs()
    .max()
    for df in (1e4, 1e5, 1e6)
]
assert gaps[2] < 1e-3, "ν → ∞ recovers the Gaussian NLL"
assert all(abs(b / a - 0.1) < 0.01 for a, b in zip(gaps, gaps[1:])), (
    "the gap is O(1/ν)"
)
print(f"gaps to the Gaussian NLL at ν = 1e4, 1e5, 1e6: {[f'{g:.2e}' for g in gaps]}")
