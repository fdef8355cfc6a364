import json

import numpy as np
import pytest
import torch
from torch import nn

import zerosum
from zerosum.config import DCGANConfig, MLPConfig
from zerosum.errors import ConfigError
from zerosum.latent import forget as F
from zerosum.models import build_models


def dcgan_g(size: int = 32, ngf: int = 8) -> nn.Module:
    G, _ = build_models(DCGANConfig(nz=8, ngf=ngf, ndf=8), (3, size, size), 0)
    return G


def test_feature_layer_is_the_input_of_the_last_block():
    for size in (16, 32, 64):
        G = dcgan_g(size)
        layer = F.feature_layer(G)
        assert layer == len(G.blocks) - 2
        assert F.features(G, torch.randn(2, 8), layer).shape == (2, 8, size // 2, size // 2)  # ngf × S/2 × S/2
    mlp, _ = build_models(MLPConfig(nz=8, g_hidden=[16], d_hidden=[16]), (1, 8, 8), 0)
    with pytest.raises(ConfigError, match="convolutional"):
        F.features(mlp, torch.randn(2, 8))


def test_box_mask_maps_pixel_boxes_onto_the_feature_grid():
    # 32×32 image, 16×16 grid: position j draws pixels 2j, 2j+1 (centre 2j + 1).
    m = F.box_mask([[[8, 4, 16, 12]], [], [[5, 5, 6, 6]], [[0, 0, 4, 4], [30, 28, 32, 32]]], 32, 16)
    want = torch.zeros(16, 16, dtype=torch.bool)
    want[2:6, 4:8] = True  # rows from y, columns from x
    assert torch.equal(m[0], want)
    assert not m[1].any()
    assert m[2].sum() == 1 and m[2, 2, 2]  # too small for any centre: the position under its own centre
    assert m[3].sum() == 4 + 2 and m[3, :2, :2].all() and m[3, 14:, 15].all()
    assert F.pixel_mask([[[1, 2, 3.5, 4]]], 8)[0].nonzero().tolist() == [[y, x] for y in (2, 3) for x in (1, 2, 3)]


def test_dropped_maps_are_zero_and_the_rest_untouched():
    torch.manual_seed(0)
    G = dcgan_g(32).train()  # starts in train mode: generate_without must use eval mode and restore train
    z = torch.randn(6, 8)
    layer, maps = F.feature_layer(G), [0, 3, 5]
    seen = []  # inputs of the last block: the normal pass, then the one with maps dropped
    hook = G.blocks[layer + 1].register_forward_pre_hook(lambda m, args: seen.append(args[0].clone()))
    with_maps, without = F.generate_without(G, z, maps)
    hook.remove()
    assert G.training
    G.eval()
    with torch.no_grad():
        reference = G.forward_features(z)
        assert torch.equal(with_maps, G(z))
    h, kept = seen[-1], [c for c in range(8) if c not in maps]
    assert len(seen) == 2 and torch.equal(seen[0], reference[layer])
    assert (h[:, maps] == 0).all() and reference[layer][:, maps].abs().sum() > 0
    assert torch.equal(h[:, kept], reference[layer][:, kept])
    assert not torch.allclose(with_maps, without)
    _, same = F.generate_without(G, z, [])
    assert torch.equal(same, with_maps)


class Planted(nn.Module):
    """A stand-in generator whose second-to-last features are given: z[:, 0] indexes the stored maps."""

    def __init__(self, feats: torch.Tensor) -> None:
        super().__init__()
        self.feats = feats
        self.blocks = nn.ModuleList([nn.Identity(), nn.Conv2d(feats.shape[1], 1, 1)])
        self.out_shape = (1, 2 * feats.shape[-1], 2 * feats.shape[-1])

    def forward_features(self, z: torch.Tensor) -> list[torch.Tensor]:
        h = self.feats[z[:, 0].long()]
        return [h, self.blocks[1](h)]


def test_logistic_fit_selects_exactly_the_planted_channels():
    gen = torch.Generator().manual_seed(0)
    n, c, grid = 30, 10, 16
    boxes, inside = [], torch.zeros(n, grid, grid, dtype=torch.bool)
    for i in range(n):  # wide, short boxes at varied places: a transposed or shifted mapping would miss them
        if i % 5 == 4:
            boxes.append([])
            continue
        x0, y0 = int(torch.randint(0, 16, (1,), generator=gen)), int(torch.randint(0, 24, (1,), generator=gen))
        boxes.append([[x0, y0, x0 + 16, y0 + 6]])
        inside[i] = F.box_mask([boxes[-1]], 32, grid)[0]
    noise = torch.rand(n, c, grid, grid, generator=gen) * 0.3
    feats = torch.zeros(n, c, grid, grid)
    for ch in (1, 4, 6):  # the object's maps: fire inside the boxes
        feats[:, ch] = inside * (1 + noise[:, ch])
    for ch in (2, 7):  # background maps: fire outside
        feats[:, ch] = ~inside * (1 + noise[:, ch])
    # channels 0, 3, 5, 8, 9 stay silent: their weight is exactly 0, not > 0
    G = Planted(feats)
    z = torch.stack([torch.arange(n).float(), torch.zeros(n)], 1)
    obj = F.fit_object_maps(G, z, boxes, seed=0)
    assert obj.maps == [1, 4, 6]
    assert (obj.weights[[2, 7]] < 0).all() and obj.train_accuracy == 1.0
    assert obj.n_positives == int(inside.sum()) == obj.n_negatives and obj.n_boxes == 24 and obj.n_fit_images == n
    p = obj.probability(feats)
    assert (p[inside] > 0.5).all() and (p[~inside] < 0.5).all()
    shifted = [[[b[0][1], b[0][0], b[0][1] + 6, b[0][0] + 16]] if b else [] for b in boxes]  # x and y swapped
    assert F.fit_object_maps(G, z, shifted, seed=0).train_accuracy < 0.9


def test_fit_needs_boxes_and_negatives():
    G = dcgan_g(16)
    z = torch.randn(2, 8)
    with pytest.raises(ConfigError, match="no boxes"):
        F.fit_object_maps(G, z, [[], []])
    with pytest.raises(ConfigError, match="cover every position"):
        F.fit_object_maps(G, z, [[[0, 0, 16, 16]], [[0, 0, 16, 16]]])
    with pytest.raises(ConfigError, match="one list"):
        F.fit_object_maps(G, z, [[]])


def test_change_inside_and_outside():
    before = torch.zeros(1, 3, 4, 4)
    after = before.clone()
    after[:, :, :2, :2] = 1.0  # Δ = 1 in [-1, 1] units = 0.5 of the range
    mask = torch.zeros(1, 4, 4, dtype=torch.bool)
    mask[0, :2, :] = True
    out = F.change(before, after, mask, (-1.0, 1.0))
    assert out["inside"] == pytest.approx(0.25) and out["outside"] == 0.0 and np.isnan(out["ratio"])


def test_forget_on_a_run_writes_picture_and_record(tiny_run, tmp_path):
    run = zerosum.load_run(tiny_run)
    z = run.generator.sample_z(6, generator=torch.Generator().manual_seed(100))
    boxes = [[[2, 2, 9, 8]], [[4, 6, 12, 14]], [], [[0, 0, 5, 5]], [], [[8, 8, 16, 16]]]
    picture, record_path, rec = F.forget(run, z, boxes, n_show=5, n_measure=20, out=tmp_path / "f.png")
    assert picture.stat().st_size > 300 and record_path == tmp_path / "f.json"
    saved = json.loads(record_path.read_text())
    assert saved["n_boxes"] == 4 and saved["n_fit_images"] == 6 and saved["n_held_out"] == 20
    assert saved["n_maps"] == 8 and saved["n_dropped"] == len(saved["maps_dropped"]) == len(saved["control_maps"])
    assert saved["feature_shape"] == [8, 8, 8] and saved["object_mass"] is None
    assert set(saved["change_fit_in_boxes"]) == {"inside", "outside", "ratio"}
    from PIL import Image

    w, h = Image.open(picture).size
    assert w > 5 * 64 and h > 2 * 64  # 16×16 images shown 4× larger, originals above the dropped row
    with pytest.raises(ConfigError, match="pick another --seed"):
        F.forget(run, run.generator.sample_z(3, generator=torch.Generator().manual_seed(1)), [[[0, 0, 4, 4]], [], []])
