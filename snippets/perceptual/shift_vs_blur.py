"""For one photo crop, a 1-pixel shift is farther than a σ = 1.5 px blur in pixel MSE, and nearer in random VGG-16 features from relu2_2 on.

Chapter "Perceptual loss": pixel MSE ranks a shifted copy of a photograph as worse than
a blurred one, against what anyone sees. The features of VGG-16 with random weights
(no download: torchvision's initialisation, several draws) reverse the ranking for this
pair from relu2_2 (feature MSE) or relu3_3 (LPIPS-style unit-normalised distance) on,
while relu1_2 still agrees with the pixels. Over other blurs and a second crop, what the
features do is divide the pixel ratio by a factor that grows with depth; without
max-pooling, relu2_2 no longer reverses the ranking.
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
    photo = plt.imread(f, format="jpg")                      # (600, 512, 3) uint8, shipped with matplotlib
x_full = F.avg_pool2d(torch.tensor(photo).permute(2, 0, 1)[None].float() / 255, 4)  # (1, 3, 150, 128)

CFG_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M"]  # VGG-16 up to pool4
RELU = {"relu1_2": 3, "relu2_2": 8, "relu3_3": 15, "relu4_3": 22}
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def random_vgg16(cfg=CFG_D[:-1], pool=nn.MaxPool2d):
    """VGG-16's features to relu4_3 with torchvision's random initialisation."""
    layers, c_in = [], 3
    for v in cfg:
        if v == "M":
            layers.append(pool(2, 2))
        else:
            conv = nn.Conv2d(c_in, v, 3, padding=1)
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(conv.bias)
            layers += [conv, nn.ReLU(inplace=True)]
            c_in = v
    return nn.Sequential(*layers).eval()


def relu_features(net, x):
    out, h = [], (x - MEAN) / STD
    for i, module in enumerate(net):
        h = module(h)
        if i in RELU.values():
            out.append(h)
    return out


def unit(f):
    return f / (f.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-10)


# %%
# --8<-- [start:images]
def gaussian_blur(x, sigma):
    r = int(3 * sigma) + 1
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(t**2) / (2 * sigma**2))
    k = (k / k.sum()).repeat(3, 1, 1, 1)                      # one kernel per channel
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="reflect"), k.view(3, 1, 1, -1), groups=3)
    return F.conv2d(F.pad(x, (0, 0, r, r), mode="reflect"), k.view(3, 1, -1, 1), groups=3)


S, top, left = 64, 36, 32                                     # a 64×64 crop of the face
crop = lambda img, dx=0: img[..., top : top + S, left + dx : left + dx + S]
reference = crop(x_full)
shifted = crop(x_full, dx=1)                                  # the same photo, moved one pixel
blurred = crop(gaussian_blur(x_full, sigma=1.5))              # the same photo, blurred
mse_shift = F.mse_loss(shifted, reference).item()
mse_blur = F.mse_loss(blurred, reference).item()
# --8<-- [end:images]
pixel_ratio = mse_shift / mse_blur
assert pixel_ratio > 1.2, "pixel MSE calls the shifted photo farther than the blurred one"

# %%
# --8<-- [start:features]
N_NETS = 3
feat_ratio, unit_ratio = torch.zeros(N_NETS, 4), torch.zeros(N_NETS, 4)   # d(shift) / d(blur) per layer
for n in range(N_NETS):
    net = random_vgg16()                                      # a new random draw of the weights
    with torch.no_grad():
        f_all = relu_features(net, torch.cat([reference, shifted, blurred]))   # one batch of three
    f_ref, f_shift, f_blur = ([f[k : k + 1] for f in f_all] for k in range(3))
    for j in range(4):
        feature_mse = lambda a, b: (a - b).pow(2).mean()     # Johnson et al.: ||.||^2 / (C H W)
        lpips_like = lambda a, b: (unit(a) - unit(b)).pow(2).sum(dim=1).mean()  # LPIPS, all weights 1
        feat_ratio[n, j] = feature_mse(f_shift[j], f_ref[j]) / feature_mse(f_blur[j], f_ref[j])
        unit_ratio[n, j] = lpips_like(f_shift[j], f_ref[j]) / lpips_like(f_blur[j], f_ref[j])
# --8<-- [end:features]
assert (feat_ratio[:, 0] > 1).all() and (unit_ratio[:, 0] > 1).all(), "relu1_2 agrees with the pixels"
assert (feat_ratio[:, 1:] < 1).all(), "feature MSE at relu2_2, relu3_3, relu4_3 calls the shift nearer"
assert (unit_ratio[:, 2:] < 1).all(), "unit-normalised distance at relu3_3 and relu4_3 calls the shift nearer"
relu1_2_ratio_min = feat_ratio[:, 0].min().item()
relu2_2_ratio_max = feat_ratio[:, 1].max().item()
relu3_3_ratio_max = feat_ratio[:, 2].max().item()
relu4_3_ratio_max = feat_ratio[:, 3].max().item()
unit_relu2_2_min, unit_relu2_2_max = unit_ratio[:, 1].min().item(), unit_ratio[:, 1].max().item()
unit_relu3_3_max = unit_ratio[:, 2].max().item()

# %% [markdown]
# ## How general: other blurs, another crop, and no max-pooling
# The ranking depends on how strong the blur is. What the random features do is shrink the
# shift/blur ratio of the pixels by a factor that grows with depth; measured here for
# σ = 1, 1.5 and 2 px on the crop above and σ = 1.5 px on a second crop (the collar).

# %%
# --8<-- [start:general]
pairs = []                                                    # (reference, shifted, blurred) triples
for (t, l), sigmas in (((36, 32), (1.0, 1.5, 2.0)), ((84, 24), (1.5,))):
    c = lambda img, dx=0: img[..., t : t + S, l + dx : l + dx + S]
    pairs += [(c(x_full), c(x_full, dx=1), c(gaussian_blur(x_full, s))) for s in sigmas]
shrink = torch.zeros(N_NETS, len(pairs), 4)                   # (feature ratio) / (pixel ratio), per layer
for n in range(N_NETS):
    net = random_vgg16()
    with torch.no_grad():
        f_all = relu_features(net, torch.cat([torch.cat(p) for p in pairs]))
    for k, (r, sh, bl) in enumerate(pairs):
        px = F.mse_loss(sh, r) / F.mse_loss(bl, r)
        for j, f in enumerate(f_all):
            fr, fs, fb = f[3 * k], f[3 * k + 1], f[3 * k + 2]
            shrink[n, k, j] = (fs - fr).pow(2).mean() / (fb - fr).pow(2).mean() / px

no_pool_ratio = torch.zeros(N_NETS)                           # relu2_2 with the first max-pool removed
for n in range(N_NETS):
    net = random_vgg16(cfg=CFG_D[:5], pool=lambda *a: nn.Identity())
    with torch.no_grad():
        f_ref, f_shift, f_blur = net((torch.cat([reference, shifted, blurred]) - MEAN) / STD)
    no_pool_ratio[n] = (f_shift - f_ref).pow(2).mean() / (f_blur - f_ref).pow(2).mean()
# --8<-- [end:general]
assert (shrink[..., 1:] < shrink[..., :-1]).all(), "the shrink factor grows with depth (the ratio falls) for every pair"
assert (shrink[..., 3] < 0.3).all(), "at relu4_3 the features divide the pixel ratio by more than 3"
assert (no_pool_ratio > 1).all(), "without max-pooling, relu2_2 calls the shift farther, as the pixels do"
shrink_lo = [shrink[..., j].min().item() for j in range(4)]
shrink_hi = [shrink[..., j].max().item() for j in range(4)]
shrink1_lo, shrink2_lo, shrink3_lo, shrink4_lo = shrink_lo
shrink1_hi, shrink2_hi, shrink3_hi, shrink4_hi = shrink_hi
no_pool_min, no_pool_max = no_pool_ratio.min().item(), no_pool_ratio.max().item()
pool_relu2_2_max = feat_ratio[:, 1].max().item()

# %%
fig, axes = plt.subplot_mosaic([["ref", "shift", "blur"], ["ratio", "ratio", "ratio"]], num="perceptual-shift-vs-blur",
                               figsize=(8.4, 6.4), height_ratios=[1, 0.9], layout="constrained")
for key, img, title in (
    ("ref", reference, "reference"),
    ("shift", shifted, f"moved 1 pixel\npixel MSE {mse_shift:.4f}"),
    ("blur", blurred, f"blurred (σ = 1.5 px)\npixel MSE {mse_blur:.4f}"),
):
    axes[key].imshow(img[0].permute(1, 2, 0).clamp(0, 1).numpy(), interpolation="nearest")
    axes[key].set_title(title)
    axes[key].set_axis_off()
ax = axes["ratio"]
names = ["pixels"] + list(RELU)
ax.axhline(1, color="0.5", lw=1, ls=":")
ax.plot([0], [pixel_ratio], "s", color="C0", ms=9, label="pixel MSE")
for n in range(N_NETS):
    ax.plot(range(1, 5), feat_ratio[n], "o-", color="C0", alpha=0.8, label="feature MSE (Johnson)" if n == 0 else None)
    ax.plot(range(1, 5), unit_ratio[n], "^--", color="k", alpha=0.8, label="unit-normalised (LPIPS, weights 1)" if n == 0 else None)
ax.set_yscale("log")
ax.set_xticks(range(5), names)
ax.set_ylabel("distance(shift) / distance(blur)")
ax.set_title(f"above 1: the shift is farther; below 1: the blur is farther ({N_NETS} random VGG-16 draws)")
ax.legend(loc="lower left")
plt.show()
