"""An overfitted classifier is overconfident; one temperature fitted on held-out data (Guo et al., 2017) repairs its calibration, and focal loss reduces the overconfidence.

Chapter "Cross-entropy". Three overlapping 2-D Gaussian classes, a small MLP
trained with cross-entropy far past the point of fitting its 200 training
points, then: temperature scaling fitted on a validation set, and the same MLP
trained with focal loss instead. Calibration is measured on a separate test set.
"""

# %%
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn

SEED = 0
torch.manual_seed(SEED)
torch.set_num_threads(1)  # tiny tensors: threads only add overhead
torch.set_default_dtype(torch.float32)
gen = torch.Generator().manual_seed(SEED + 1)
K, STEPS, GAMMA = 3, 600, 3.0
centres = torch.tensor([[0.0, 1.2], [-1.0, -0.6], [1.0, -0.6]])


def draw(n):
    """n points: a class uniformly at random, then its Gaussian blob."""
    y = torch.randint(0, K, (n,), generator=gen)
    return centres[y] + 0.75 * torch.randn(n, 2, generator=gen), y


x_train, y_train = draw(200)
x_val, y_val = draw(1000)  # held out: fits the temperature
x_test, y_test = draw(5000)  # held out: measures calibration


def focal_loss(logits, y, gamma=GAMMA):
    """Mean of −(1 − q_y)^γ log q_y (Lin et al., 2017), without α."""
    log_q = logits.log_softmax(dim=1).gather(1, y[:, None])[:, 0]
    return (-((1 - log_q.exp()) ** gamma) * log_q).mean()


def train(loss_fn):
    torch.manual_seed(SEED)  # the same initial weights for both losses
    net = nn.Sequential(
        nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, K)
    )
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(STEPS):
        opt.zero_grad()
        loss_fn(net(x_train), y_train).backward()
        opt.step()
    return net


def reliability(logits, y, bins=10):
    """Per-bin mean confidence, accuracy and share of points, and the ECE."""
    conf, pred = logits.softmax(dim=1).max(dim=1)
    correct = (pred == y).double()
    which = torch.clamp((conf * bins).long(), max=bins - 1)  # equal-width bins
    count = torch.bincount(which, minlength=bins).double()
    mean_conf = torch.bincount(which, conf.double(), bins) / count.clamp(min=1)
    acc = torch.bincount(which, correct, bins) / count.clamp(min=1)
    share = count / len(y)
    ece = (share * (acc - mean_conf).abs()).sum().item()
    return mean_conf, acc, share, ece


# (9) on a hand-built case with unequal bins: four points at confidence 0.95,
# three of them correct (gap 0.2), and one at 0.65, correct (gap 0.35).
# ECE = 4/5 · 0.2 + 1/5 · 0.35 = 0.23; an unweighted mean of the gaps gives 0.275.
c = torch.tensor([0.95, 0.95, 0.95, 0.95, 0.65], dtype=torch.float64)
hand_logits = torch.stack([c.log(), (1 - c).log()], dim=1)  # class 0 predicted
hand_y = torch.tensor([0, 0, 0, 1, 0])
*_, ece_hand = reliability(hand_logits, hand_y)
assert abs(ece_hand - 0.23) < 1e-12, "(9): gaps weighted by the share of points"


# %%
# --8<-- [start:temperature]
net = train(F.cross_entropy)
with torch.no_grad():
    logits_val, logits_test = net(x_val), net(x_test)
    train_nll = F.cross_entropy(net(x_train), y_train).item()

log_t = torch.zeros((), requires_grad=True)  # T = e^log_t > 0
opt = torch.optim.LBFGS([log_t], max_iter=100, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = F.cross_entropy(logits_val / log_t.exp(), y_val)  # validation NLL
    loss.backward()
    return loss


opt.step(closure)
T = log_t.exp().item()
scaled_test = logits_test / T
# --8<-- [end:temperature]

# %%
# --8<-- [start:checks]
*_, ece_before = reliability(logits_test, y_test)
*_, ece_after = reliability(scaled_test, y_test)
nll_before = F.cross_entropy(logits_test, y_test).item()
nll_after = F.cross_entropy(scaled_test, y_test).item()
# (9) point by point, without bins' shares: Σ_b |Σ_{i∈b} (correct_i − conf_i)| / N
conf_pt, pred_pt = logits_test.softmax(1).max(1)
conf_pt = conf_pt.double()
bin_pt = torch.clamp((conf_pt * 10).long(), max=9)
ece_direct = sum(
    ((pred_pt == y_test).double() - conf_pt)[bin_pt == b].sum().abs() for b in range(10)
).item() / len(y_test)
assert abs(ece_before - ece_direct) < 1e-5, "the binned ECE is (9), point by point"
acc_test = (logits_test.argmax(1) == y_test).double().mean().item()
conf_before = logits_test.softmax(1).max(1).values.mean().item()
assert torch.equal(logits_test.argmax(1), scaled_test.argmax(1)), (
    "dividing by T > 0 changes no prediction, so no accuracy"
)
assert conf_before > acc_test, "the overfitted net is overconfident on test data"
assert T > 1, "the fitted temperature is above 1: it softens the softmax"
assert ece_after < ece_before, "temperature scaling lowers the test ECE"
assert nll_after <= nll_before, "and does not raise the test NLL"
# --8<-- [end:checks]

# %% [markdown]
# With three or more classes one temperature can reorder inputs by confidence:
# logit gaps (1, 10) and (2, 2) below the top class swap places between
# T = 1 and T = 10 (exercise 4).

# %%
gaps = torch.tensor([[0.0, -1.0, -10.0], [0.0, -2.0, -2.0]])
conf_t1 = (gaps / 1).softmax(dim=1).max(dim=1).values
conf_t10 = (gaps / 10).softmax(dim=1).max(dim=1).values
assert conf_t1[1] > conf_t1[0] and conf_t10[0] > conf_t10[1], (
    "K = 3: the confidence ranking of two inputs flips between T = 1 and 10"
)

# %%
# --8<-- [start:focal]
net_focal = train(focal_loss)
with torch.no_grad():
    focal_test = net_focal(x_test)
*_, ece_focal = reliability(focal_test, y_test)
nll_focal = F.cross_entropy(focal_test, y_test).item()
acc_focal = (focal_test.argmax(1) == y_test).double().mean().item()
assert ece_focal < ece_before, "focal loss: lower test ECE than cross-entropy"
# --8<-- [end:focal]
print(
    f"T = {T:.2f}; ECE {ece_before:.3f} -> {ece_after:.3f} (focal {ece_focal:.3f});"
    f" test NLL {nll_before:.3f} -> {nll_after:.3f} (focal {nll_focal:.3f})"
)

# %%
fig, axes = plt.subplots(
    1, 3, figsize=(9, 3.3), sharey=True, num="reliability-diagram",
    layout="constrained",
)
panels = (
    (logits_test, "cross-entropy"),
    (scaled_test, f"cross-entropy, T = {T:.2f}"),
    (focal_test, f"focal loss, γ = {GAMMA:g}"),
)
centres_bins = (torch.arange(10) + 0.5) / 10
for ax, (logits, title) in zip(axes, panels):
    mean_conf, acc, share, ece = reliability(logits, y_test)
    used = share * len(y_test) >= 20  # draw bins with at least 20 points
    ax.bar(centres_bins[used], acc[used], width=0.1, color="C5", alpha=0.8,
           edgecolor="white", label="accuracy")
    ax.bar(centres_bins[used], mean_conf[used], width=0.1, fill=False,
           edgecolor="k", lw=1.0, label="mean confidence")
    ax.plot([0, 1], [0, 1], color="C7", ls="--", lw=1)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence (max softmax)")
    ax.set_title(f"{title}\nECE = {ece:.3f}", fontsize=10)
axes[0].set_ylabel("accuracy in the bin")
axes[0].legend(loc="upper left", fontsize=8)
plt.show()
