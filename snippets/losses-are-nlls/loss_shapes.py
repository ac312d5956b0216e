"""Each noise model is a loss shape: quadratic (Gaussian), linear (Laplace, Huber's tails), logarithmic (Student-t, Cauchy).

Chapter "Losses are negative log-likelihoods": the figure that puts the table's
rows side by side as densities and as losses, each shifted to 0 at r = 0.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.distributions import Cauchy, Laplace, Normal, StudentT

# residual y − ŷ; every scale is 1
r = torch.linspace(-6, 6, 1201, dtype=torch.float64)
delta = 1.0
huber_Z = math.sqrt(2 * math.pi) * (
    2 * Normal(0.0, 1.0).cdf(torch.tensor(delta)).item() - 1
) + 2 / delta * math.exp(-(delta**2) / 2)
nll = {
    "Gaussian": -Normal(0.0, 1.0).log_prob(r),
    "Laplace": -Laplace(0.0, 1.0).log_prob(r),
    "Huber": nn.HuberLoss(delta=delta, reduction="none")(r, 0 * r)
    + math.log(huber_Z),
    "Student-t, ν=3": -StudentT(3.0, 0.0, 1.0).log_prob(r),
    "Cauchy": -Cauchy(0.0, 1.0).log_prob(r),
}
colors = {
    "Gaussian": "C0",
    "Laplace": "C1",
    "Huber": "C2",
    "Student-t, ν=3": "C3",
    "Cauchy": "C4",
}


# %%
# --8<-- [start:growth]
def growth(curve, at, ref):
    """Ratio of the loss's rise above its value at 0, at |r| = at vs ref."""
    c = curve - curve[len(r) // 2]
    return (c[r.sub(at).abs().argmin()] / c[r.sub(ref).abs().argmin()]).item()


assert math.isclose(growth(nll["Gaussian"], 6, 3), 4.0, rel_tol=1e-9), (
    "quadratic: double r, 4× loss"
)
assert math.isclose(growth(nll["Laplace"], 6, 3), 2.0, rel_tol=1e-9), (
    "linear: double r, 2× loss"
)
assert math.isclose(
    growth(nll["Huber"], 6, 3), (6 - delta / 2) / (3 - delta / 2), rel_tol=1e-9
), "linear tails"
assert math.isclose(
    growth(nll["Cauchy"], 6, 3), math.log(37) / math.log(10), rel_tol=1e-9
), "logarithmic"
for name, curve in nll.items():
    assert curve.argmin() == len(r) // 2, f"{name}: smallest loss at r = 0"
cauchy_ratios = [growth(nll["Cauchy"], 2 * a, a) for a in (1.0, 1.5, 2.0, 3.0)]
assert all(b < a for a, b in zip(cauchy_ratios, cauchy_ratios[1:])), (
    "the Cauchy's doubling ratio keeps falling towards 1"
)
# --8<-- [end:growth]

# %%
fig, (ax_p, ax_l) = plt.subplots(
    1, 2, figsize=(8.5, 3.4), num="loss-shapes", layout="constrained"
)
for name, curve in nll.items():
    ax_p.plot(r, torch.exp(-curve), color=colors[name], label=name)
    ax_l.plot(r, curve - curve[len(r) // 2], color=colors[name], label=name)
ax_p.set(
    xlabel="residual $r = y - \\hat y$",
    ylabel="density $p(r)$",
    title="Noise model",
    yscale="log",
    ylim=(1e-6, 1),
)
ax_l.set(
    xlabel="residual $r = y - \\hat y$",
    ylabel="NLL$(r)$ − NLL$(0)$",
    title="The loss it implies",
    ylim=(0, 8),
)
ax_l.legend(fontsize=8, loc="upper center")
plt.show()
