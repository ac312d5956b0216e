"""A feature loss is a Gaussian NLL over features; pulled back to pixels it is no normalised density.

Chapter "Perceptual loss": with a fixed isotropic variance, -log N(phi(y) | phi(y_hat), sigma^2 I)
is the squared feature distance over 2 sigma^2 plus a constant, and Johnson et al.'s
feature loss is this NLL at sigma^2 = CHW/2. Read as a function of the pixels, the same
Gaussian is not a density: without the Jacobian of phi it does not integrate to 1 (and
its integral depends on the prediction), and with a ReLU it does not integrate at all.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn as nn

SEED = 0
torch.manual_seed(SEED)

# %%
# --8<-- [start:nll]
phi = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU()).double()
target, pred = torch.rand(1, 3, 16, 16, dtype=torch.float64), torch.rand(1, 3, 16, 16, dtype=torch.float64)  # a target image y and a prediction ŷ
with torch.no_grad():
    f, f_hat = phi(target), phi(pred)
_, C, H, W = f.shape
D = C * H * W
sq = (f - f_hat).pow(2).sum()
gaps = []
for sigma in (0.37, 1.7):
    nll = -torch.distributions.Normal(f_hat, sigma).log_prob(f).sum()
    gaps.append((nll - (sq / (2 * sigma**2) + D / 2 * math.log(2 * math.pi * sigma**2))).abs().item())
johnson = sq / D                                            # Johnson et al.: ||phi(y) - phi(y_hat)||^2 / (C H W)
nll_at = -torch.distributions.Normal(f_hat, math.sqrt(D / 2)).log_prob(f).sum()
johnson_gap = (johnson - (nll_at - D / 2 * math.log(math.pi * D))).abs().item()
# --8<-- [end:nll]
assert max(gaps) < 1e-8, "feature NLL = ||phi(y) - phi(y_hat)||^2 / (2 sigma^2) + (D/2) log 2 pi sigma^2"
assert johnson_gap < 1e-8, "Johnson's feature loss is that NLL at sigma^2 = CHW/2, minus (D/2) log(pi CHW)"

# %%
# --8<-- [start:pixels]
y = torch.linspace(-12, 12, 240_001, dtype=torch.float64)                       # the data's pixel value, on a fine grid
dy = (y[1] - y[0]).item()
sigma = 0.37
smooth = lambda t: t + 0.6 * t**3                           # an invertible feature map
d_smooth = lambda t: 1 + 1.8 * t**2                         # its derivative, the Jacobian
gauss = lambda u, m: torch.exp(-((u - m) ** 2) / (2 * sigma**2)) / math.sqrt(2 * math.pi * sigma**2)
mass_no_jac, mass_jac = {}, {}
for y_hat in (0.3, 1.4):                                   # two predictions
    mass_no_jac[y_hat] = (gauss(smooth(y), smooth(torch.tensor(y_hat, dtype=torch.float64))).sum() * dy).item()
    mass_jac[y_hat] = (gauss(smooth(y), smooth(torch.tensor(y_hat, dtype=torch.float64))) * d_smooth(y)).sum().item() * dy

relu = torch.relu
pred_relu = 0.8
relu_mass = lambda lo: (gauss(relu(y[y >= lo]), pred_relu).sum() * dy).item()  # integral from lo to 12
relu_growth = relu_mass(-10) - relu_mass(-5)               # five more units of y, all with phi(y) = 0
# --8<-- [end:pixels]
mass_03, mass_14 = mass_no_jac[0.3], mass_no_jac[1.4]
assert all(abs(m - 1) < 1e-6 for m in mass_jac.values()), "with |phi'(y)| the pulled-back Gaussian integrates to 1"
assert all(abs(m - 1) > 0.05 for m in mass_no_jac.values()), "without the Jacobian it does not integrate to 1"
assert abs(mass_03 - mass_14) > 0.05, "and its integral depends on the prediction"
flat = gauss(torch.tensor(0.0, dtype=torch.float64), pred_relu).item()
assert abs(relu_growth - 5 * flat) < 1e-4 * flat * 5 + 1e-9, (
    "with a ReLU every y < 0 has the same feature, so the integral grows without bound"
)
relu_flat_level = flat
_at_14 = gauss(smooth(y), smooth(torch.tensor(1.4, dtype=torch.float64)))
peak_ratio = ((_at_14 * d_smooth(y)).max() / _at_14.max()).item()    # how much taller |phi'| makes the curve

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, num="perceptual-pixel-density", figsize=(8.4, 3.4), layout="constrained")
ys = y[::100]
for y_hat, ls in ((0.3, ":"), (1.4, "--")):
    ax1.plot(ys, gauss(smooth(ys), smooth(torch.tensor(y_hat, dtype=torch.float64))), ls, color="C0",
             label=f"ŷ = {y_hat}, no Jacobian: area {mass_no_jac[y_hat]:.3f}")
ax1.plot(ys, gauss(smooth(ys), smooth(torch.tensor(1.4, dtype=torch.float64))) * d_smooth(ys), "-", color="C0",
         label=f"ŷ = 1.4, × |φ'(y)|: area {mass_jac[1.4]:.3f}")
ax1.set_xlim(-0.6, 2.0)
ax1.set_xlabel("pixel value y")
ax1.set_title("φ(y) = y + 0.6y³")
ax1.legend(loc="upper left", fontsize="small")
ax2.plot(ys, gauss(relu(ys), pred_relu), "-", color="C0", label=f"N(ReLU(y); ReLU(ŷ), σ²), ŷ = {pred_relu}")
ax2.set_xlim(-6, 3)
ax2.set_xlabel("pixel value y")
ax2.set_title("φ = ReLU: area ∞ (flat for every y < 0)")
ax2.legend(loc="upper left", fontsize="small")
plt.show()
