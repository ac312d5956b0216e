"""Plain NLL gives up on the hard part of a sinusoid and calls it noise; β-NLL fits it.

Chapter "Mean squared error": Seitzer et al.'s (2022) toy problem, shrunk to
run in seconds. The targets are a sinusoid with 0.01 noise everywhere; its
middle third has twice the frequency and twice the amplitude (the hard
region). One small network, trained from the same initialisation with the
Gaussian NLL (β = 0) and with β-NLL (β = 1), for the same 1500 Adam steps.
"""

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)  # tiny matrices: threads only add overhead
n, noise = 300, 0.01
x = torch.linspace(0, 12, n).unsqueeze(1)
hard = (x >= 4) & (x < 8)  # the middle third
freq = torch.where(hard, 1.0, 0.5)
amp = torch.where(hard, 0.4, 0.2)
mu_true = amp * torch.sin(2 * math.pi * freq * x)
y = mu_true + noise * torch.randn(n, 1)
# Smooth inputs: sines and cosines with periods 24, 12, 8 and 6, none of them
# as fast as the data, so the network must build the oscillation itself.
k = 2 * math.pi * torch.arange(1, 5) / 24
features = torch.cat([torch.sin(k * x), torch.cos(k * x)], dim=1)


def make_net():
    """A small MLP that outputs a mean and a raw variance."""
    return torch.nn.Sequential(
        torch.nn.Linear(8, 48), torch.nn.SiLU(),
        torch.nn.Linear(48, 48), torch.nn.SiLU(),
        torch.nn.Linear(48, 2),
    )


# %%
# --8<-- [start:train]
def train(net, beta, steps=1500):
    """Full-batch Adam on the β-NLL; β = 0 is the plain Gaussian NLL."""
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for _ in range(steps):
        out = net(features)
        mu, var = out[:, :1], F.softplus(out[:, 1:]) + 1e-6
        nll = 0.5 * (torch.log(var) + (y - mu) ** 2 / var)
        loss = (nll * var.detach() ** beta).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        out = net(features)
        return out[:, :1], F.softplus(out[:, 1:]) + 1e-6


BETA = 1.0
net_nll, net_beta = make_net(), make_net()
net_beta.load_state_dict(net_nll.state_dict())  # the same starting point
mu_nll, var_nll = train(net_nll, beta=0.0)
mu_beta, var_beta = train(net_beta, beta=BETA)
# --8<-- [end:train]


# %%
def rms(v, where):
    """Root mean square of v over the points selected by where."""
    return v[where].pow(2).mean().sqrt().item()


easy = ~hard
signal_hard, signal_easy = rms(mu_true, hard), rms(mu_true, easy)
err_nll_hard, err_nll_easy = rms(mu_nll - mu_true, hard), rms(mu_nll - mu_true, easy)
err_beta_hard, err_beta_easy = rms(mu_beta - mu_true, hard), rms(mu_beta - mu_true, easy)
sigma_nll_hard = rms(var_nll.sqrt(), hard)  # the NLL fit's σ in the hard region
band_nll_hard = 2 * sigma_nll_hard
resid_nll_hard = rms(y - mu_nll, hard)
sigma_beta_hard = rms(var_beta.sqrt(), hard)
resid_beta_hard = rms(y - mu_beta, hard)

# %%
# --8<-- [start:check]
assert err_beta_hard < err_nll_hard / 3, "β-NLL fits the hard region far better"
assert err_nll_hard > 0.8 * signal_hard, "plain NLL leaves the hard region unfitted"
assert err_beta_hard < 0.25 * signal_hard, "β-NLL's mean follows the hard region"
assert max(err_nll_easy, err_beta_easy) < 0.5 * signal_easy, "both fit the easy part"
assert sigma_nll_hard > 10 * noise, "plain NLL calls the hard region noise"
assert 2 / 3 < sigma_nll_hard / resid_nll_hard < 3 / 2, "σ ≈ its residuals there"
# --8<-- [end:check]
print(f"hard-region RMS error: NLL {err_nll_hard:.3f}, β-NLL {err_beta_hard:.3f}")
print(f"hard-region σ: NLL {sigma_nll_hard:.3f}, β-NLL {sigma_beta_hard:.3f}")
print(f"easy-region RMS error: NLL {err_nll_easy:.3f}, β-NLL {err_beta_easy:.3f}")

# %%
fig, axes = plt.subplots(2, 1, num="mse-beta-nll-sinusoid", figsize=(6.4, 5.6),
                         sharex=True, layout="constrained")
fits = ((axes[0], mu_nll, var_nll, r"plain NLL ($\beta = 0$)"),
        (axes[1], mu_beta, var_beta, rf"$\beta$-NLL ($\beta = {BETA:g}$)"))
for ax, mu, var, title in fits:
    band = 2 * var.sqrt()
    ax.axvspan(4, 8, color="C7", alpha=0.12, lw=0)
    ax.plot(x, y, ".", color="C7", ms=3, label="data")
    ax.plot(x, mu_true, color="k", lw=0.8, label="true mean")
    ax.fill_between(x.squeeze(1), (mu - band).squeeze(1), (mu + band).squeeze(1),
                    color="C0", alpha=0.25, lw=0, label=r"fitted $\mu \pm 2\sigma$")
    ax.plot(x, mu, color="C0", label=r"fitted $\mu$")
    ax.set_title(title, loc="left")
    ax.set_ylabel("$y$")
    ax.set_ylim(-0.9, 0.9)
fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4)
axes[1].set_xlabel("$x$ (shaded: the hard region)")
plt.show()
