"""`zerosum.sample` and `Samples.save`: a run or its path, labels by index or name, and every way to save."""

from pathlib import Path

import numpy as np
import pytest
import torch

import zerosum
from zerosum import sampling
from zerosum.images import load_image
from zerosum.sampling import Samples, save_png_dir


def test_labels_are_indices_or_the_class_names_of_the_run(named_run):
    run = zerosum.load_run(named_run)
    named = zerosum.sample(run, 6, seed=2, labels=["dog", 0, "2"])
    assert named.y.tolist() == [1, 0, 2, 1, 0, 2]
    assert torch.equal(named.images, zerosum.sample(run, 6, seed=2, labels=[1, 0, 2]).images)


@pytest.mark.parametrize(("labels", "fragment"), [(["dog", "wolf"], "'wolf'"), ([""], "''"), ([3], "0..2")])
def test_an_unknown_class_is_one_line_naming_the_valid_ones(named_run, labels, fragment):
    with pytest.raises(zerosum.ConfigError) as err:
        zerosum.sample(named_run, 4, labels=labels)
    message = str(err.value)
    assert "\n" not in message and fragment in message and "0..2" in message
    if isinstance(labels[0], str):
        assert "cat, dog, fox" in message


def test_sample_takes_a_run_or_its_path(tiny_run, tmp_path):
    from zerosum.export import export_generator

    run = zerosum.load_run(tiny_run)
    expected = zerosum.sample(run, 5, seed=4).images
    assert torch.equal(zerosum.sample(tiny_run, 5, seed=4).images, expected)
    assert torch.equal(zerosum.sample(str(tiny_run), 5, seed=4, checkpoint="latest", device="cpu").images, expected)
    export = export_generator(run, tmp_path / "export")
    assert torch.equal(zerosum.sample(export, 5, seed=4).images, expected)
    with pytest.raises(zerosum.ConfigError, match="loaded already"):
        zerosum.sample(run, 5, checkpoint="best")
    with pytest.raises(TypeError, match="Run or the path"):
        zerosum.sample(42, 5)


def _png_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_save_by_extension(tiny_run, tmp_path):
    s = zerosum.sample(tiny_run, 5, seed=1)
    grid = s.save(tmp_path / "grid.png", nrow=5)
    assert tuple(load_image(grid).shape) == (1, 16 + 4, 5 * 18 + 2)  # one row of 5 cells, 2-pixel gaps
    raw = np.load(s.save(tmp_path / "raw.npz"))
    assert raw["images"].shape == (5, 1, 16, 16) and raw["z"].shape == (5, 8)
    folder = s.save(tmp_path / "pngs")
    assert _png_files(folder) == [f"00000{i}.png" for i in range(5)]
    assert torch.equal(load_image(folder / "000003.png"), torch.from_numpy(raw["images"][3]))  # the same pixels
    (tmp_path / "empty.d").mkdir()
    assert len(_png_files(s.save(tmp_path / "empty.d"))) == 5  # an existing empty folder, whatever its name
    with pytest.raises(zerosum.ConfigError, match=r"\.png.*\.npz.*folder"):
        s.save(tmp_path / "grid.jpg")


def test_points_save_as_a_scatter_but_not_as_pngs(tmp_path):
    points = Samples(torch.randn(50, 2), torch.randn(50, 2), None, None)
    assert points.save(tmp_path / "scatter.png").stat().st_size > 1000
    with pytest.raises(zerosum.ConfigError, match="points"):
        points.save(tmp_path / "pngs")
    assert not (tmp_path / "pngs").exists()


def _images(n: int) -> Samples:
    return Samples(torch.rand(n, 3, 4, 4), torch.zeros(n, 2), None, (0.0, 1.0))


def test_png_dir_refuses_a_folder_that_holds_files(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()
    (target / "old.png").write_bytes(b"x")
    with pytest.raises(zerosum.ConfigError, match="already holds files"):
        save_png_dir(_images(3), target)
    assert _png_files(target) == ["old.png"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(zerosum.ConfigError, match="is a file"):
        save_png_dir(_images(3), tmp_path / "file")


def test_a_failed_png_dir_leaves_nothing_behind(tmp_path, monkeypatch):
    written = []

    def fail_on_the_third(image):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(image)
        return real(image)

    real = sampling.png_bytes
    monkeypatch.setattr(sampling, "png_bytes", fail_on_the_third)
    with pytest.raises(OSError, match="No space"):
        save_png_dir(_images(5), tmp_path / "out")
    assert len(written) == 2 and list(tmp_path.iterdir()) == []  # neither the folder nor its hidden temp one


def test_png_names_sort_as_numbers():
    assert sampling.png_name(0, 10) == "000000.png"
    assert sampling.png_name(1_234_567, 2_000_000) == "1234567.png"
    assert sampling.png_name(5, 10_000_001) == "00000005.png"


def test_population_batchnorm_statistics_are_used_when_the_config_asks(tmp_path):
    tiny = ["model.g_hidden=[16,16]", "model.d_hidden=[8,8]", "train.batch_size=40", "train.steps=3",
            "train.progress=false", "train.tensorboard=false", "train.ema=0.9"]  # fmt: skip
    zerosum.train("pacgan-ring8", overrides=tiny, out=tmp_path / "run")
    run = zerosum.load_run(tmp_path / "run")
    assert run.config.model.bn_stats == "population"
    G = run.generator
    assert G is run.generator and G is not run.G_ema  # measured once per loaded run, on a copy
    assert not torch.equal(G.blocks[0][1].running_mean, run.G_ema.blocks[0][1].running_mean)
    a, b = zerosum.sample(run, 50, seed=3).images, zerosum.sample(run, 50, seed=3).images
    assert torch.equal(a, b)
