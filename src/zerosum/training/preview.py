"""Pictures of training progress from a fixed noise batch: the same z at every preview, so changes are G's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from zerosum.atomic import atomic_write_bytes
from zerosum.images import make_grid, save_png
from zerosum.models.batchnorm import with_population_statistics
from zerosum.training.state import TrainState


@torch.inference_mode()
def preview_samples(state: TrainState, device: torch.device, population: bool = False) -> torch.Tensor:
    """G's output for the fixed noise; with `population`, through a copy whose BatchNorm statistics are measured
    for its weights, as sampling does under `model.bn_stats: population`."""
    G = with_population_statistics(state.sampling_G) if population else state.sampling_G
    was_training = G.training
    G.eval()
    try:
        y = state.fixed_y.to(device) if state.fixed_y is not None else None
        return G(state.fixed_z.to(device), y).float().cpu()
    finally:
        G.train(was_training)


def write_preview(state: TrainState, data, run_dir: Path, book, device: torch.device, population: bool = False) -> Path:
    """samples/step_XXXXXXXX.png (and `samples.png` at the run's top, always the newest); TensorBoard too."""
    fake = preview_samples(state, device, population)
    path = Path(run_dir) / "samples" / f"step_{state.step:08d}.png"
    if data.kind == "pairs":  # input | output | target of the fixed inputs
        from zerosum.translation.picture import pair_picture, preview_pairs

        _, targets = preview_pairs(data, state.G.output_range, len(fake))
        grid = pair_picture(state.fixed_z, fake, targets, data.task, state.G.output_range)
        save_png(path, grid)
        save_png(Path(run_dir) / "samples.png", grid)
        book.image("samples", grid, state.step)
    elif data.kind == "image":
        grid = make_grid(fake, nrow=_nrow(len(fake), state), value_range=state.G.output_range)
        save_png(path, grid)
        save_png(Path(run_dir) / "samples.png", grid)
        book.image("samples", grid if grid.ndim == 3 else grid[..., None], state.step)
    else:
        _write_points(state, data, fake, path, device)
        data_bytes = path.read_bytes()
        atomic_write_bytes(Path(run_dir) / "samples.png", lambda f: f.write(data_bytes))
    return path


def _nrow(n: int, state: TrainState) -> int:
    if state.fixed_y is not None:  # one row per class
        return max(n // (int(state.fixed_y.max()) + 1), 1)
    return max(int(np.sqrt(n)), 1)


def _write_points(state: TrainState, data, fake: torch.Tensor, path: Path, device: torch.device) -> None:
    from zerosum.plots import plot_1d_discriminator, plot_points

    real = data.points[: len(fake)].cpu().numpy()
    title = f"step {state.step}"
    if real.shape[1] == 1:
        D = state.D

        @torch.inference_mode()
        def d_of_x(xs: np.ndarray) -> np.ndarray:
            was = D.training
            D.eval()
            try:
                x = torch.as_tensor(xs, dtype=torch.float32, device=device)[:, None]
                return torch.sigmoid(D(x).float()).cpu().numpy()
            finally:
                D.train(was)

        plot_1d_discriminator(real, fake.numpy(), d_of_x, path, title=title, pack=getattr(D, "pack", 1))
    else:
        plot_points(real, fake.numpy(), path, title=title)
