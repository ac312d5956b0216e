"""A decoder trained on jittered targets: pixel MSE gives the blurred average, a random-feature loss more edge energy but not the sharp image.

Chapter "Perceptual loss": the smallest decoder there is, a linear map from a one-hot code
to a 32×32 image, is trained twice on the same targets, a photo crop moved by -2..2 pixels
at random. With pixel MSE it converges to the average of the five shifts, a blur. With a
feature loss on a random-weight VGG-style network (no download) its output has about twice
the gradient energy, but that energy is mostly grain: its gradients agree less with the
sharp crop's than the blur's do, and it is farther from the sharp crop in pixels.
"""

# %%
import matplotlib.cbook as cbook
import matplotlib.pyplot as plt
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)

with cbook.get_sample_data("grace_hopper.jpg") as f:
    photo = torch.tensor(plt.imread(f, format="jpg")).float().mean(-1) / 255  # grey, (600, 512)
grey = F.avg_pool2d(photo[None, None], 4)[0]                # (1, 150, 128)
S, SHIFTS = 32, (-2, -1, 0, 1, 2)
corners = [(55, 48), (86, 48)]                              # the mouth, and the collar and tie
targets = torch.stack([torch.stack([grey[:, r : r + S, c + k : c + k + S] for k in SHIFTS]) for r, c in corners])
K = len(corners)                                            # targets: (K images, 5 shifts, 1, S, S)

# %%
# --8<-- [start:features]
def random_features():
    """conv-ReLU-pool blocks like VGG's, narrower, with torchvision's random initialisation."""
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU())
    for m in net:
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return net.requires_grad_(False)


phi = random_features()


def feats(x):
    h1 = phi[:5](x)                                         # after the second ReLU, 1/2 resolution
    return [h1, phi[5:](h1)]                                # after the third ReLU, 1/4 resolution


def feature_loss(x, y):
    return sum((a - b).pow(2).mean() for a, b in zip(feats(x), feats(y)))
# --8<-- [end:features]


# %%
# --8<-- [start:train]
def train(loss_name, steps=200):
    torch.manual_seed(SEED + 1)                             # the same start for both losses
    decoder = nn.Linear(K, S * S)                           # one-hot code -> image
    nn.init.zeros_(decoder.weight)                          # start from a flat grey image, so any
    nn.init.constant_(decoder.bias, 0.5)                    # texture in the output comes from the loss
    opt = torch.optim.Adam(decoder.parameters(), lr=0.02)
    codes = torch.eye(K)
    flat_targets = targets.reshape(K * len(SHIFTS), 1, S, S)
    for _ in range(steps):
        out = decoder(codes).view(K, 1, 1, S, S).expand(-1, len(SHIFTS), -1, -1, -1).reshape(-1, 1, S, S)
        if loss_name == "pixel MSE":
            loss = F.mse_loss(out, flat_targets)            # expected loss over the five shifts
        else:
            loss = feature_loss(out, flat_targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return decoder(codes).detach().view(K, 1, S, S)


out_mse, out_feat = train("pixel MSE"), train("feature")
# --8<-- [end:train]

# %%
def edge_energy(img):
    """Mean squared horizontal plus vertical difference: what a blur removes."""
    return ((img[..., 1:, :] - img[..., :-1, :]) ** 2).mean() + ((img[..., :, 1:] - img[..., :, :-1]) ** 2).mean()


def grad_corr(img, ref):
    """Correlation of the horizontal and vertical differences of img with those of ref."""
    g = lambda x: torch.cat([(x[..., 1:, :] - x[..., :-1, :]).flatten(), (x[..., :, 1:] - x[..., :, :-1]).flatten()])
    a, b = g(img), g(ref)
    return ((a - a.mean()) @ (b - b.mean()) / ((a - a.mean()).norm() * (b - b.mean()).norm())).item()


def pixel_mse(out):
    return ((out[:, None] - targets) ** 2).mean().item()


def feat_dist(out):
    with torch.no_grad():
        return feature_loss(out[:, None].expand_as(targets).reshape(-1, 1, S, S), targets.reshape(-1, 1, S, S)).item()


average = targets.mean(dim=1)                               # the pixel-MSE optimum: the mean over shifts
gap_to_average = (out_mse - average).abs().max().item()
sharp = edge_energy(targets[:, 2])
energy_mse = (edge_energy(out_mse) / sharp).item()          # fraction of the sharp crop's edge energy kept
energy_feat = (edge_energy(out_feat) / sharp).item()
energy_gain = energy_feat / energy_mse
mse_of_mse, mse_of_feat = pixel_mse(out_mse), pixel_mse(out_feat)
feat_of_mse, feat_of_feat = feat_dist(out_mse), feat_dist(out_feat)
sharp_img = targets[:, 2]                                   # the unshifted crops
corr_mse, corr_feat = grad_corr(out_mse, sharp_img), grad_corr(out_feat, sharp_img)
sharp_mse_of_mse = ((out_mse - sharp_img) ** 2).mean().item()
sharp_mse_of_feat = ((out_feat - sharp_img) ** 2).mean().item()
# The blur plus i.i.d. Gaussian grain with the feature output's edge energy (each difference of
# i.i.d. noise has variance 2 s^2, so the two directions add 4 s^2 on average).
s_noise = ((edge_energy(out_feat) - edge_energy(out_mse)) / 4).sqrt()
noisy = out_mse + s_noise * torch.randn(out_mse.shape, generator=torch.Generator().manual_seed(SEED + 2))
energy_noisy = (edge_energy(noisy) / sharp).item()
feat_of_noisy = feat_dist(noisy)
feat_of_mse_e4, feat_of_feat_e4, feat_of_noisy_e4 = 1e4 * feat_of_mse, 1e4 * feat_of_feat, 1e4 * feat_of_noisy  # units of 10^-4
assert gap_to_average < 0.02, "pixel MSE trains the decoder to the average of the shifted targets"
assert energy_gain > 1.5, "the feature-trained decoder has more than 1.5 times the edge energy"
assert corr_feat < corr_mse, "but its gradients agree less with the sharp crop's than the blur's do"
assert sharp_mse_of_feat > sharp_mse_of_mse, "and it is farther from the sharp crop in pixel MSE"
assert feat_of_feat < feat_of_noisy, "the feature loss prefers its output to the blur plus i.i.d. grain of the same edge energy"
assert mse_of_feat > mse_of_mse, "pixel MSE scores the feature-trained output worse"
assert feat_of_feat < feat_of_mse, "the feature loss scores the MSE-trained (blurred) output worse"

# %%
fig, axes = plt.subplots(K, 3, num="perceptual-decoder", figsize=(6.6, 4.6), layout="constrained")
for i in range(K):
    for j, (img, title) in enumerate((
        (targets[i, 2], "one target (unshifted)"),
        (out_mse[i], f"pixel MSE\nedge energy {energy_mse:.2f}"),
        (out_feat[i], f"feature loss\nedge energy {energy_feat:.2f}"),
    )):
        axes[i, j].imshow(img[0].clamp(0, 1).numpy(), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        axes[i, j].set_axis_off()
        if i == 0:
            axes[i, j].set_title(title, fontsize="medium")
plt.show()
