"""The DCGAN paper's §5.1 feature extractor: every hidden conv block of a trained D, max-pooled to 4×4, concatenated.

Radford et al. (2015) judge the quality of unsupervised representations by how well a linear classifier does on
them. Each hidden block's output (N, C_i, H_i, W_i) is max-pooled to a 4×4 grid (adaptive pooling, so a 14×14 map
and a 4×4 map both end at 4×4), flattened and concatenated: one vector of 16 · Σ C_i numbers per image.

The images reach D exactly as training fed them (uint8 → G's output range, the run's size and channels) and D runs
in eval mode, so BatchNorm uses its running statistics and a feature does not depend on the rest of its batch.

Refused, each with a one-line reason: runs on points, MLP runs (the protocol pools conv maps), conditional Ds (a
feature would depend on a label the classifier is supposed to predict) and PacGAN Ds (`model.pack` > 1 judges
groups of images, so a per-image feature is not defined; feeding `pack` copies of one image would show D an input
it never saw in training: a group without variety).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.config import DataConfig
from zerosum.data import ImageSet, load_dataset
from zerosum.errors import ConfigError, DataError
from zerosum.explore import require_discriminator, require_images
from zerosum.run import Run

GRID = 4  # the paper's 4×4 spatial grid per layer
VERB = "features"


def check_run(run: Run) -> None:
    """Refuse runs the protocol is not defined for, before any data is loaded."""
    require_images(run, VERB)
    require_discriminator(run, VERB)
    model = run.config.model
    if model.arch != "dcgan":
        raise ConfigError(f"zerosum features pools D's conv feature maps; {run.path} is a {model.arch} run (use DCGAN)")
    if model.conditional:
        raise ConfigError(
            f"{run.path} has a conditional D, whose features depend on the label to be predicted; use an "
            "unconditional run"
        )
    if model.pack > 1:
        raise ConfigError(
            f"{run.path} packs {model.pack} images per D input (PacGAN), so D has no per-image features; use a run "
            "with model.pack=1"
        )


def pool_features(maps: list[Tensor], grid: int = GRID) -> Tensor:
    """Each (N, C, H, W) map max-pooled to grid×grid, flattened, and all concatenated: (N, grid² · Σ C)."""
    return torch.cat([F.adaptive_max_pool2d(h, grid).flatten(1) for h in maps], dim=1)


@torch.inference_mode()
def layer_shapes(D: nn.Module) -> list[tuple[int, int, int]]:
    """(C, H, W) of every hidden block's output, from one blank input (D is put in eval mode)."""
    D.eval()
    device = next(D.parameters()).device
    return [tuple(h.shape[1:]) for h in D.features(torch.zeros(1, *D.in_shape, device=device))]


def feature_dim(D: nn.Module, grid: int = GRID) -> int:
    """Length of the protocol's vector: grid² · Σ C over the hidden blocks."""
    return grid * grid * sum(c for c, _, _ in layer_shapes(D))


def value_range(run: Run) -> tuple[float, float]:
    """The range training mapped uint8 pixels to: G's output range ((-1, 1) for DCGAN)."""
    return run.G.output_range or (-1.0, 1.0)


@torch.inference_mode()
def extract(
    D: nn.Module,
    images: Tensor,
    value_range: tuple[float, float] = (-1.0, 1.0),
    batch_size: int = 500,
    grid: int = GRID,
) -> Tensor:
    """Pooled D features (float32, CPU) of uint8 N×C×H×W `images`, mapped to `value_range` batch by batch."""
    D.eval()
    device = next(D.parameters()).device
    lo, hi = float(value_range[0]), float(value_range[1])
    chunks = []
    for start in range(0, images.shape[0], batch_size):
        x = images[start : start + batch_size].to(device).float().mul_((hi - lo) / 255.0).add_(lo)
        chunks.append(pool_features(D.features(x), grid).float().cpu())
    if not chunks:
        return torch.zeros(0, feature_dim(D, grid))
    return torch.cat(chunks)


def load_split(run: Run, split: str, dataset: str | None = None, data_root: str | None = None) -> ImageSet:
    """The `split` of the run's dataset (or of `dataset`, shaped like the run's data), labelled and of D's shape.

    The training-time `data.limit` is dropped: the protocol uses the whole splits, like the metrics do.
    """
    update: dict = {"split": split, "limit": None}
    if dataset:
        update["name"] = dataset
    if data_root:
        update["root"] = data_root
    cfg: DataConfig = run.config.data.model_copy(update=update)
    found = load_dataset(cfg)
    if found.kind != "image":
        raise DataError(f"{cfg.name} holds points, not images; zerosum features needs a labelled image dataset")
    want = tuple(run.config.data_info.shape)
    if found.shape != want:
        raise DataError(
            f"{cfg.name} {split} images are {'×'.join(map(str, found.shape))} but D takes "
            f"{'×'.join(map(str, want))}; use a dataset of the run's shape"
        )
    if found.num_classes < 2:
        raise DataError(f"{cfg.name} {split} has no class labels; zerosum features needs a labelled dataset")
    return found
