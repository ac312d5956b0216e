"""VGG-16's feature stack in plain torch, a strict loader for torchvision and LPIPS weight files, and LPIPS itself.

Chapter "Perceptual loss": the real code for a VGG feature loss and for LPIPS, with
torchvision's layer indices, so that a reader's own `vgg16-397923af.pth` (torchvision)
and LPIPS `vgg.pth` load into it unchanged. Pretrained weights cannot be downloaded
where this site is built, so every check here runs on state dicts the snippet builds
itself, with torchvision's key names and shapes and random values.
"""

# %%
import io
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)

# %% [markdown]
# ## The feature stack, with torchvision's indices

# %%
# --8<-- [start:build]
# torchvision's cfgs["D"]: a number is a 3×3 conv with that many channels (each followed
# by an in-place ReLU), "M" a 2×2 max-pool. No batch norm in plain vgg16.
CFG_D = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
RELU = {"relu1_2": 3, "relu2_2": 8, "relu3_3": 15, "relu4_3": 22, "relu5_3": 29}


def vgg16_features():
    """`torchvision.models.vgg16().features`, rebuilt: 31 modules with the same indices."""
    layers, c_in = [], 3
    for v in CFG_D:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers += [nn.Conv2d(c_in, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
            c_in = v
    return nn.Sequential(*layers)


def init_like_torchvision(features):
    """torchvision's initialisation of VGG convs: the random-weight network used on this page."""
    for m in features:
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return features


def relu_features(features, x, names=("relu1_2", "relu2_2", "relu3_3", "relu4_3")):
    """Outputs of the named ReLUs. Take them from the ReLUs themselves: a conv's output
    is overwritten in place by the ReLU that follows it."""
    wanted = {RELU[n]: n for n in names}
    out, h = {}, x
    for i, module in enumerate(features[: max(wanted) + 1]):
        h = module(h)
        if i in wanted:
            out[wanted[i]] = h
    return [out[n] for n in names]
# --8<-- [end:build]

# %%
features = init_like_torchvision(vgg16_features())
conv_idx = [i for i, m in enumerate(features) if isinstance(m, nn.Conv2d)]
pool_idx = [i for i, m in enumerate(features) if isinstance(m, nn.MaxPool2d)]
assert len(features) == 31, "torchvision's vgg16().features has 31 modules"
assert conv_idx == [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28], "convs at torchvision's indices"
assert pool_idx == [4, 9, 16, 23, 30], "max-pools at torchvision's indices"
assert all(isinstance(features[i], nn.ReLU) and features[i].inplace for i in RELU.values()), (
    "relu1_2, 2_2, 3_3, 4_3, 5_3 are in-place ReLUs at 3, 8, 15, 22, 29"
)
n_params = sum(p.numel() for p in features.parameters())
assert n_params == 14_714_688, "VGG-16's convolutional part has 14,714,688 parameters"

with torch.no_grad():
    feats = relu_features(features, torch.rand(1, 3, 32, 32), tuple(RELU))
shapes = [tuple(f.shape[1:]) for f in feats]
assert shapes == [(64, 32, 32), (128, 16, 16), (256, 8, 8), (512, 4, 4), (512, 2, 2)], (
    "64/128/256/512/512 channels at 1, 1/2, 1/4, 1/8, 1/16 of the input's size"
)

# %% [markdown]
# ## Loading a torchvision state dict, strictly

# %%
# --8<-- [start:load]
def vgg16_shapes():
    """torchvision's VGG-16 feature keys and their shapes, from CFG_D."""
    shapes, c_in, i = {}, 3, 0
    for v in CFG_D:
        if v == "M":
            i += 1
        else:
            shapes[f"features.{i}.weight"], shapes[f"features.{i}.bias"] = (v, c_in, 3, 3), (v,)
            c_in, i = v, i + 2
    return shapes


def load_vgg16_features(source, caffe_input=False):
    """VGG-16 features from a torchvision state dict: a path (str or pathlib.Path) or a file object.

    Keys must be exactly `features.{0,2,...,28}.{weight,bias}` with VGG-16's shapes;
    `classifier.*` keys (the fully connected head) are not used by a feature loss and are
    ignored, and their names are returned. Anything else raises a ValueError naming the keys.
    A classifier holding NaNs marks torchvision's IMAGENET1K_FEATURES weights, which expect
    `caffe_normalise`d input, not `imagenet_normalise`d: refused unless caffe_input=True.
    """
    if isinstance(source, str):
        source = pathlib.Path(source)
    state = torch.load(source, map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise ValueError(f"expected a state dict, got {type(state).__name__}")
    expected = vgg16_shapes()
    ignored = sorted(k for k in state if k.startswith("classifier."))
    if any(state[k].isnan().any() for k in ignored) and not caffe_input:
        raise ValueError("classifier.* holds NaNs: this looks like torchvision's IMAGENET1K_FEATURES "
                         "(vgg16_features-amdegroot-88682ab5.pth), trained on 0-255 input minus the mean; "
                         "feed it caffe_normalise(x), not imagenet_normalise(x), and load with caffe_input=True")
    given = {k: v for k, v in state.items() if not k.startswith("classifier.")}
    problems = []
    if missing := sorted(expected.keys() - given.keys()):
        problems.append("missing keys " + ", ".join(missing))
    if unexpected := sorted(given.keys() - expected.keys()):
        problems.append("unexpected keys " + ", ".join(unexpected))
    for k in sorted(expected.keys() & given.keys()):
        if given[k].shape != expected[k]:
            problems.append(f"{k} has shape {tuple(given[k].shape)}, VGG-16 needs {expected[k]}")
    if problems:
        raise ValueError("not a torchvision VGG-16 state dict: " + "; ".join(problems))
    net = vgg16_features()
    net.load_state_dict({k.removeprefix("features."): v for k, v in given.items()}, strict=True)
    return net.eval().requires_grad_(False), ignored
# --8<-- [end:load]


def torchvision_format_state_dict(features):
    """A state dict keyed as torchvision's vgg16 is, from our features (classifier stubs added)."""
    state = {f"features.{k}": v.clone() for k, v in features.state_dict().items()}
    # torchvision's classifier is 4096×25088 etc.; small stand-ins keep this snippet light,
    # and the loader ignores classifier keys whatever their shape.
    state |= {f"classifier.{i}.{p}": torch.zeros(2) for i in (0, 3, 6) for p in ("weight", "bias")}
    return state


def save_to_bytes(obj, legacy=False):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
    buf.seek(0)
    return buf


def load_error(state):
    """The loader's error message for a state dict, or None if it loads."""
    try:
        load_vgg16_features(save_to_bytes(state))
    except (ValueError, RuntimeError) as err:  # RuntimeError: torch's own strict load, if a check let it through
        return str(err)
    return None


# %%
# --8<-- [start:roundtrip]
state = torchvision_format_state_dict(features)
loaded, ignored = load_vgg16_features(save_to_bytes(state))
roundtrip_exact = all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), features.state_dict().values()))
frozen = not any(p.requires_grad for p in loaded.parameters()) and not loaded.training

bad_missing = {k: v for k, v in state.items() if k != "features.28.bias"}
bad_extra = state | {"features.1.weight": torch.ones(64)}          # a vgg16_bn-style key
bad_shape = state | {"features.0.weight": torch.zeros(64, 1, 3, 3)}  # a grayscale first conv
bad_prefix = {"module." + k: v for k, v in state.items()}             # saved from DataParallel
msg_missing, msg_extra, msg_shape, msg_prefix = map(load_error, (bad_missing, bad_extra, bad_shape, bad_prefix))
# --8<-- [end:roundtrip]
assert roundtrip_exact and frozen, "a torchvision-format state dict loads exactly, frozen and in eval mode"
assert ignored == sorted(f"classifier.{i}.{p}" for i in (0, 3, 6) for p in ("weight", "bias")), (
    "the six classifier keys are ignored and named"
)
assert msg_missing is not None and "missing keys features.28.bias" in msg_missing, "a missing key is named"
assert msg_extra is not None and "unexpected keys features.1.weight" in msg_extra, "an extra key is named"
assert msg_shape is not None and "features.0.weight has shape (64, 1, 3, 3)" in msg_shape, "a wrong shape is named"
assert msg_prefix is not None and "module.features.0.bias" in msg_prefix, "a DataParallel-prefixed file is rejected"

# torchvision's IMAGENET1K_FEATURES file: valid features, a classifier filled with NaNs
features_only = state | {k: torch.full_like(v, float("nan")) for k, v in state.items() if k.startswith("classifier.")}
msg_features_only = load_error(features_only)
try:
    loaded_caffe, _ = load_vgg16_features(save_to_bytes(features_only), caffe_input=True)
except ValueError:
    loaded_caffe = None
assert msg_features_only is not None and "IMAGENET1K_FEATURES" in msg_features_only, (
    "a NaN classifier (IMAGENET1K_FEATURES) is refused by default, naming the weights"
)
assert loaded_caffe is not None and all(torch.equal(a, b) for a, b in zip(loaded_caffe.state_dict().values(), features.state_dict().values())), (
    "with caffe_input=True the same file loads exactly"
)

# %% [markdown]
# ## LPIPS: its scaling layer, its linear weights, its distance

# %%
# --8<-- [start:lpips]
IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
LPIPS_SHIFT = torch.tensor([-0.030, -0.088, -0.188]).view(1, 3, 1, 1)
LPIPS_SCALE = torch.tensor([0.458, 0.448, 0.450]).view(1, 3, 1, 1)
LPIPS_CHANNELS = (64, 128, 256, 512, 512)


def imagenet_normalise(x01):
    """What torchvision's VGG weights expect: RGB in [0, 1], then (x - mean) / std."""
    return (x01 - IMAGENET_MEAN) / IMAGENET_STD


CAFFE_MEAN = torch.tensor([0.48235, 0.45882, 0.40784]).view(1, 3, 1, 1)


def caffe_normalise(x01):
    """What torchvision's IMAGENET1K_FEATURES VGG-16 expects: RGB in [0, 1], then (x - mean) * 255."""
    return (x01 - CAFFE_MEAN) * 255


def lpips_scaling(x_pm1):
    """LPIPS's ScalingLayer, for RGB in [-1, 1]."""
    return (x_pm1 - LPIPS_SHIFT) / LPIPS_SCALE


def load_lpips_weights(source):
    """LPIPS v0.1 linear weights: `lin{0..4}.model.1.weight`, shapes (1, C, 1, 1), all >= 0."""
    if isinstance(source, str):
        source = pathlib.Path(source)
    state = torch.load(source, map_location="cpu", weights_only=True)
    expected = {f"lin{i}.model.1.weight": (1, c, 1, 1) for i, c in enumerate(LPIPS_CHANNELS)}
    problems = []
    if missing := sorted(expected.keys() - state.keys()):
        problems.append("missing keys " + ", ".join(missing))
    if unexpected := sorted(state.keys() - expected.keys()):
        problems.append("unexpected keys " + ", ".join(unexpected))
    for k in sorted(expected.keys() & state.keys()):
        if tuple(state[k].shape) != expected[k]:
            problems.append(f"{k} has shape {tuple(state[k].shape)}, LPIPS-VGG needs {expected[k]}")
        elif (state[k] < 0).any():
            problems.append(f"{k} has negative weights (LPIPS clamps them at 0 in training)")
    if problems:
        raise ValueError("not an LPIPS-VGG v0.1 weights file: " + "; ".join(problems))
    return [state[k].flatten() for k in expected]


def unit_normalise(f, eps=1e-10):
    """LPIPS's normalize_tensor: each spatial position's channel vector scaled to unit length."""
    return f / (f.pow(2).sum(dim=1, keepdim=True).sqrt() + eps)


def lpips(features, weights, x0, x1):
    """LPIPS distance per image, for RGB inputs in [-1, 1] (VGG trunk)."""
    f0 = relu_features(features, lpips_scaling(x0), tuple(RELU))
    f1 = relu_features(features, lpips_scaling(x1), tuple(RELU))
    d = 0.0
    for a, b, w in zip(f0, f1, weights):
        sq = (unit_normalise(a) - unit_normalise(b)) ** 2           # (B, C, H, W)
        d = d + (w.view(1, -1, 1, 1) * sq).sum(dim=1).mean(dim=(1, 2))  # weighted channels, spatial mean
    return d
# --8<-- [end:lpips]


# %%
# --8<-- [start:johnson]
def feature_loss(fa, fb):
    """Johnson et al.'s feature reconstruction loss: ||phi(a) - phi(b)||^2 / (C H W), per image."""
    return (fa - fb).pow(2).mean(dim=(1, 2, 3))


def gram(f):
    """Johnson et al.'s Gram matrix psi psi^T / (C H W), with psi the C x HW reshaped features."""
    b, c, h, w = f.shape
    psi = f.reshape(b, c, h * w)
    return psi @ psi.transpose(1, 2) / (c * h * w)


def style_loss(fs_a, fs_b):
    """Sum over layers of the squared Frobenius norm of the Gram difference, per image."""
    return sum((gram(a) - gram(b)).pow(2).sum(dim=(1, 2)) for a, b in zip(fs_a, fs_b))
# --8<-- [end:johnson]


# %%
# LPIPS files are legacy (non-zip) torch pickles; weights_only=True reads that format too.
lin_state = {f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate(LPIPS_CHANNELS)}
lin = load_lpips_weights(save_to_bytes(lin_state, legacy=True))
lin_roundtrip = all(torch.equal(w, lin_state[f"lin{i}.model.1.weight"].flatten()) for i, w in enumerate(lin))
assert lin_roundtrip and [w.numel() for w in lin] == list(LPIPS_CHANNELS), "LPIPS weights load, one per channel"


def lpips_error(state):
    try:
        load_lpips_weights(save_to_bytes(state, legacy=True))
    except ValueError as err:
        return str(err)
    return None


no_dropout_keys = {k.replace("model.1", "model.0"): v for k, v in lin_state.items()}
msg_lin_keys = lpips_error(no_dropout_keys)
msg_lin_shape = lpips_error(lin_state | {"lin2.model.1.weight": torch.rand(1, 128, 1, 1)})
msg_lin_neg = lpips_error(lin_state | {"lin4.model.1.weight": -torch.rand(1, 512, 1, 1)})
assert msg_lin_keys is not None and "lin0.model.0.weight" in msg_lin_keys and "missing keys lin0.model.1.weight" in msg_lin_keys, (
    "a use_dropout=False file (model.0 keys) is rejected by name"
)
assert msg_lin_shape is not None and "lin2.model.1.weight has shape (1, 128, 1, 1)" in msg_lin_shape, "a wrong LPIPS shape is named"
assert msg_lin_neg is not None and "lin4.model.1.weight has negative" in msg_lin_neg, "negative LPIPS weights are named"

# %% [markdown]
# ## The mistakes people make, asserted

# %%
# --8<-- [start:scaling]
x01 = torch.rand(2, 3, 32, 32)               # RGB in [0, 1]
x_pm1 = 2 * x01 - 1                          # the same images in [-1, 1]
scaling_gap = (lpips_scaling(x_pm1) - imagenet_normalise(x01)).abs().max().item()
mean_from_shift = ((1 + LPIPS_SHIFT) / 2).flatten()
std_from_scale = (LPIPS_SCALE / 2).flatten()
# --8<-- [end:scaling]
assert torch.allclose(mean_from_shift, IMAGENET_MEAN.flatten(), atol=1e-6), "(1 + shift)/2 is the ImageNet mean"
assert torch.allclose(std_from_scale, IMAGENET_STD.flatten(), atol=1e-6), "scale/2 is the ImageNet std"
assert scaling_gap < 1e-5, "the scaling layer on 2x - 1 is ImageNet normalisation of x"

# %%
# --8<-- [start:range]
img_a = torch.rand(1, 3, 8, 8).repeat_interleave(4, -1).repeat_interleave(4, -2)  # a blocky [0, 1] image
img_b = (img_a + 0.1 * torch.randn(img_a.shape)).clamp(0, 1)                      # a noisy copy
with torch.no_grad():
    d_right = lpips(loaded, lin, 2 * img_a - 1, 2 * img_b - 1).item()   # [0, 1] mapped to [-1, 1]
    d_wrong = lpips(loaded, lin, img_a, img_b).item()                   # [0, 1] fed as if in [-1, 1]
    j_right = feature_loss(*(relu_features(loaded, imagenet_normalise(x), ("relu2_2",))[0] for x in (img_a, img_b))).item()
    j_wrong = feature_loss(*(relu_features(loaded, x, ("relu2_2",))[0] for x in (img_a, img_b))).item()
# --8<-- [end:range]
range_ratio = d_wrong / d_right
norm_ratio = j_wrong / j_right
assert range_ratio < 0.95, "[0, 1] images fed to LPIPS give a smaller distance than the same images in [-1, 1]"
assert norm_ratio < 0.95, "skipping ImageNet normalisation gives a smaller VGG feature loss"
caffe_factor_lo, caffe_factor_hi = (255 * IMAGENET_STD).min().item(), (255 * IMAGENET_STD).max().item()
assert torch.allclose(caffe_normalise(x01) / 255, x01 - CAFFE_MEAN), "IMAGENET1K_FEATURES input is 255 (x - mean)"

# %%
# --8<-- [start:why]
# Fed [0, 1], the network sees (x' - mean)/std with x' = (x + 1)/2: half the contrast plus a
# brightness offset of 0.5/std. Separate the two:
with torch.no_grad():
    d_half = lpips(loaded, lin, (2 * img_a - 1 + LPIPS_SHIFT) / 2, (2 * img_b - 1 + LPIPS_SHIFT) / 2).item()  # scaled input halved
    d_bright = lpips(loaded, lin, 2 * img_a, 2 * img_b).item()          # scaled input + 0.5/std, full contrast
# --8<-- [end:why]
half_ratio, bright_ratio = d_half / d_right, d_bright / d_right
assert abs(half_ratio - 1) < 1e-4, "zero biases: the random VGG is positively homogeneous, so halving contrast changes no unit-normalised feature"
assert bright_ratio < 0.95, "the brightness offset alone shrinks the distance"

# %% [markdown]
# ## The code to copy, checked against a hand computation
# Each function is compared with an explicit loop over the formula as displayed on the page,
# at generic values: random non-negative LPIPS weights (not all 1), non-square feature maps.

# %%
def lpips_by_hand(features, weights, x0, x1):
    """sum_l 1/(H W) sum_{h,w} sum_c w_c (f0/|f0| - f1/|f1|)^2, the norm over channels at each (h, w)."""
    f0 = relu_features(features, lpips_scaling(x0), tuple(RELU))
    f1 = relu_features(features, lpips_scaling(x1), tuple(RELU))
    total = 0.0
    for a, b, w in zip(f0, f1, weights):
        a, b, w = a[0].tolist(), b[0].tolist(), w.tolist()         # one image; a[c][h][w]
        C, H, W = len(a), len(a[0]), len(a[0][0])
        layer = 0.0
        for h in range(H):
            for v in range(W):
                na = sum(a[c][h][v] ** 2 for c in range(C)) ** 0.5 + 1e-10
                nb = sum(b[c][h][v] ** 2 for c in range(C)) ** 0.5 + 1e-10
                layer += sum(w[c] * (a[c][h][v] / na - b[c][h][v] / nb) ** 2 for c in range(C))
        total += layer / (H * W)
    return total


small_a, small_b = img_a[..., :, :16], img_b[..., :, :16]         # 32x16: five layers, the last 2x1
with torch.no_grad():
    f_a, f_b = (relu_features(loaded, lpips_scaling(2 * x - 1), ("relu2_2",))[0] for x in (small_a, small_b))
lpips_code = lpips(loaded, lin, 2 * small_a - 1, 2 * small_b - 1).item()
lpips_hand = lpips_by_hand(loaded, lin, 2 * small_a - 1, 2 * small_b - 1)

fa_t, fb_t = f_a[:, :5], f_b[:, :5]                                 # (1, 5, 16, 8): C != H W, H != W
C_, H_, W_ = fa_t.shape[1:]
fl_hand = sum((fa_t[0, c, h, v] - fb_t[0, c, h, v]).item() ** 2
              for c in range(C_) for h in range(H_) for v in range(W_)) / (C_ * H_ * W_)
G_hand = [[sum(fa_t[0, c, h, v].item() * fa_t[0, d, h, v].item() for h in range(H_) for v in range(W_)) / (C_ * H_ * W_)
           for d in range(C_)] for c in range(C_)]
G_code = gram(fa_t)
Gb_hand = [[sum(fb_t[0, c, h, v].item() * fb_t[0, d, h, v].item() for h in range(H_) for v in range(W_)) / (C_ * H_ * W_)
                     for d in range(C_)] for c in range(C_)]
style_hand = sum((G_hand[c][d] - Gb_hand[c][d]) ** 2 for c in range(C_) for d in range(C_))
perm = torch.randperm(H_ * W_)
G_perm = gram(fa_t.reshape(1, C_, -1)[..., perm].reshape(1, C_, H_, W_))
assert abs(lpips_code / lpips_hand - 1) < 1e-4, "lpips() is the displayed formula (unit norm over channels, w not w^2, spatial mean)"
assert abs(feature_loss(fa_t, fb_t).item() / fl_hand - 1) < 1e-4, "feature_loss is ||phi(a) - phi(b)||^2 / (C H W)"
assert tuple(G_code.shape) == (1, C_, C_) and torch.allclose(G_code[0].double(), torch.tensor(G_hand, dtype=torch.float64), rtol=1e-4, atol=0), (
    "gram is psi psi^T / (C H W), C x C"
)
assert abs(style_loss([fa_t], [fb_t]).item() / style_hand - 1) < 1e-4, "style_loss is the squared Frobenius norm of the Gram difference"
assert torch.allclose(G_perm, G_code, rtol=1e-5, atol=0), "a Gram matrix is unchanged by permuting positions (Exercise 2)"

# %%
# --8<-- [start:hook]
seen = {}
hook = loaded[21].register_forward_hook(lambda m, inp, out: seen.update(kept=out, copy=out.clone()))
with torch.no_grad():
    (relu4_3,) = relu_features(loaded, imagenet_normalise(img_a), ("relu4_3",))
hook.remove()
hook_min_kept = seen["kept"].min().item()    # the conv4_3 output as the hook kept it
hook_min_copy = seen["copy"].min().item()    # a copy taken inside the hook
# --8<-- [end:hook]
assert hook_min_copy < 0, "conv4_3's output has negative values when the hook runs"
assert hook_min_kept >= 0 and torch.equal(seen["kept"], relu4_3), (
    "the tensor the hook kept was overwritten by the in-place ReLU: it is relu4_3"
)

# %%
# --8<-- [start:strict]
class NetLinLayer(nn.Module):
    """LPIPS's head with use_dropout=False: a bare 1x1 conv, so its key is model.0.weight."""

    def __init__(self, c):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(c, 1, 1, bias=False))


head = NetLinLayer(64)
before = head.model[0].weight.clone()
result = head.load_state_dict({"model.1.weight": lin_state["lin0.model.1.weight"]}, strict=False)
silently_unloaded = torch.equal(head.model[0].weight, before)
# --8<-- [end:strict]
assert result.missing_keys == ["model.0.weight"] and result.unexpected_keys == ["model.1.weight"], (
    "strict=False reports the mismatch only in its return value"
)
assert silently_unloaded, "with strict=False the calibrated weights are not loaded and nothing is raised"


# %%
# --8<-- [start:your_weights]
# Your own files: put them next to this script and it computes the real losses as well.
if pathlib.Path("vgg16-397923af.pth").is_file():
    features, ignored = load_vgg16_features("vgg16-397923af.pth")  # IMAGENET1K_V1; ignored: the classifier keys
    y_hat, y = torch.rand(2, 1, 3, 64, 64)  # stand-ins for the model's output and the target: RGB in [0, 1]
    f_hat, f = (relu_features(features, imagenet_normalise(t), ("relu2_2",))[0] for t in (y_hat, y))
    print("Johnson et al.'s feature loss at relu2_2:", feature_loss(f_hat, f).mean().item())
    if pathlib.Path("vgg.pth").is_file():  # lpips/weights/v0.1/vgg.pth from the lpips package
        lin = load_lpips_weights("vgg.pth")
        print("LPIPS-VGG:", lpips(features, lin, 2 * y_hat - 1, 2 * y - 1).item())  # inputs mapped to [-1, 1]
# --8<-- [end:your_weights]
