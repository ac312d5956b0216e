"""The perceptual chapter's VGG-16 and LPIPS loaders, tested on state dicts built here in torchvision's format."""

from __future__ import annotations

import io
import os
import runpy

import pytest

from conftest import ROOT

SNIPPET = ROOT / "snippets" / "perceptual" / "vgg_features.py"


@pytest.fixture(scope="session")  # not module: under xdist a module fixture can be set up more than once
def vgg(tmp_path_factory):
    """The snippet's namespace, run from an empty directory with the Agg backend."""
    torch = pytest.importorskip("torch")
    cwd = os.getcwd()
    os.environ["MPLBACKEND"] = "Agg"
    os.chdir(tmp_path_factory.mktemp("vgg"))
    try:
        ns = runpy.run_path(str(SNIPPET))
    finally:
        os.chdir(cwd)
    ns["torch"] = torch
    return ns


def saved(torch, obj, legacy=False):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
    buf.seek(0)
    return buf


@pytest.fixture(scope="session")
def torchvision_state(vgg):
    """Random VGG-16 weights keyed exactly as torchvision's `vgg16().state_dict()` keys its features."""
    torch = vgg["torch"]
    torch.manual_seed(1)
    net = vgg["init_like_torchvision"](vgg["vgg16_features"]())
    return {f"features.{k}": v.clone() for k, v in net.state_dict().items()}


def test_a_torchvision_format_state_dict_round_trips_through_a_file(vgg, torchvision_state, tmp_path):
    torch = vgg["torch"]
    path = tmp_path / "vgg16-test.pth"
    torch.save(torchvision_state, path)
    for source in (path, str(path)):
        net, ignored = vgg["load_vgg16_features"](source)
        assert ignored == []
        for k, v in net.state_dict().items():
            assert torch.equal(v, torchvision_state[f"features.{k}"]), k
        assert not net.training and not any(p.requires_grad for p in net.parameters())


def test_classifier_keys_are_ignored_and_reported(vgg, torchvision_state):
    torch = vgg["torch"]
    state = torchvision_state | {"classifier.6.bias": torch.zeros(1000)}
    _, ignored = vgg["load_vgg16_features"](saved(torch, state))
    assert ignored == ["classifier.6.bias"]


def test_imagenet1k_features_weights_are_refused_unless_caffe_input(vgg, torchvision_state, tmp_path):
    """torchvision's IMAGENET1K_FEATURES file has the same keys but NaNs in the classifier and Caffe-style input."""
    torch = vgg["torch"]
    state = torchvision_state | {"classifier.0.weight": torch.full((4, 3), float("nan")), "classifier.6.bias": torch.zeros(1000)}
    path = tmp_path / "vgg16_features-test.pth"
    torch.save(state, path)
    with pytest.raises(ValueError, match="IMAGENET1K_FEATURES") as err:
        vgg["load_vgg16_features"](path)
    assert "caffe_normalise" in str(err.value) and "caffe_input=True" in str(err.value)
    net, ignored = vgg["load_vgg16_features"](path, caffe_input=True)
    assert ignored == ["classifier.0.weight", "classifier.6.bias"]
    for k, v in net.state_dict().items():
        assert torch.equal(v, torchvision_state[f"features.{k}"]), k
    x = torch.rand(1, 3, 4, 4)
    expected = (x - torch.tensor([0.48235, 0.45882, 0.40784]).view(1, 3, 1, 1)) * 255
    assert torch.allclose(vgg["caffe_normalise"](x), expected, atol=1e-4)


@pytest.mark.parametrize(
    "change, named",
    [
        ("drop features.28.bias", "missing keys features.28.bias"),
        ("add features.1.running_mean", "unexpected keys features.1.running_mean"),
        ("reshape features.17.weight", "features.17.weight has shape (512, 256, 1, 1), VGG-16 needs (512, 256, 3, 3)"),
    ],
)
def test_a_mismatched_vgg_file_is_rejected_with_the_key_named(vgg, torchvision_state, change, named):
    torch = vgg["torch"]
    state = dict(torchvision_state)
    verb, key = change.split()
    if verb == "drop":
        del state[key]
    elif verb == "add":
        state[key] = torch.zeros(64)
    else:
        state[key] = torch.zeros(512, 256, 1, 1)
    with pytest.raises(ValueError, match="not a torchvision VGG-16 state dict") as err:
        vgg["load_vgg16_features"](saved(torch, state))
    assert named in str(err.value)


def test_lpips_weights_load_from_a_legacy_torch_file(vgg):
    torch = vgg["torch"]
    state = {f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate((64, 128, 256, 512, 512))}
    weights = vgg["load_lpips_weights"](saved(torch, state, legacy=True))
    assert [w.shape for w in weights] == [(64,), (128,), (256,), (512,), (512,)]
    assert torch.equal(weights[3], state["lin3.model.1.weight"].flatten())


def test_lpips_weights_of_the_wrong_shape_are_rejected_with_the_key_named(vgg):
    torch = vgg["torch"]
    state = {f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate((64, 128, 256, 512, 512))}
    state["lin1.model.1.weight"] = torch.rand(1, 192, 1, 1)  # AlexNet's second layer
    with pytest.raises(ValueError, match=r"lin1\.model\.1\.weight has shape \(1, 192, 1, 1\)"):
        vgg["load_lpips_weights"](saved(torch, state))


def test_relu_indices_give_vgg_channels_at_halving_resolutions(vgg):
    torch = vgg["torch"]
    names = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
    assert [vgg["RELU"][n] for n in names] == [3, 8, 15, 22]
    with torch.no_grad():
        feats = vgg["relu_features"](vgg["vgg16_features"](), torch.rand(1, 3, 48, 64), names)
    assert [tuple(f.shape[1:]) for f in feats] == [(64, 48, 64), (128, 24, 32), (256, 12, 16), (512, 6, 8)]


def test_with_the_readers_files_next_to_it_the_snippet_computes_both_losses(vgg, torchvision_state, tmp_path):
    """The chapter's "your own weights" cell runs when the two files are beside the script."""
    import subprocess
    import sys

    torch = vgg["torch"]
    torch.save(torchvision_state, tmp_path / "vgg16-397923af.pth")
    torch.save(vgg["lin_state"], tmp_path / "vgg.pth", _use_new_zipfile_serialization=False)  # LPIPS's legacy format
    run = subprocess.run([sys.executable, str(SNIPPET)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stderr
    assert "Johnson et al.'s feature loss at relu2_2:" in run.stdout and "LPIPS-VGG:" in run.stdout
