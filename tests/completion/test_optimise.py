"""The latent search: losses from logits, projection, and recovering a planted z."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

import zerosum
from zerosum.completion.blend import paste
from zerosum.completion.masks import contextual_weights, make_mask
from zerosum.completion.optimise import contextual_loss, perceptual_loss, project, search_z
from zerosum.completion.quality import hole_psnr


def test_perceptual_loss_is_log_one_minus_d_from_logits() -> None:
    class FixedD(torch.nn.Module):
        pack = 1

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.flatten(1).sum(dim=1)  # the logit is the pixel sum

    x = torch.tensor([-3.0, 0.0, 2.0, 80.0]).view(4, 1, 1, 1)
    got = perceptual_loss(FixedD(), x)
    assert torch.allclose(got[:3], torch.log1p(-torch.sigmoid(x.flatten()[:3])), atol=1e-6)
    assert torch.isfinite(got).all() and got[3].item() == -80.0  # no log(0) for a confident D
    assert torch.allclose(got, -F.softplus(x.flatten()))


def test_contextual_loss_is_the_weighted_mean_abs_error() -> None:
    known = make_mask("center", 8, 1)
    w = contextual_weights(known)
    target = torch.zeros(1, 2, 8, 8)
    assert contextual_loss(target + 0.3, target, w).item() == torch.tensor(0.3).item()
    hole_only = torch.where(known, target, target + 5.0)  # errors inside the hole are not the context's
    assert contextual_loss(hole_only, target, w).item() == 0.0


def test_project_onto_the_typical_set() -> None:
    z = torch.randn(5, 64) * 3
    assert torch.allclose(project(z, "normal").norm(dim=1), torch.full((5,), 8.0))
    assert project(z, "uniform").abs().max() <= 1.0


def test_search_recovers_a_planted_z(tiny_run) -> None:
    """Complete G(z*) with its center hidden: the fit of the context must fall by a large factor, and the filled
    hole must be close to G(z*)'s own hole (far better than the pixels' mean)."""
    run = zerosum.load_run(tiny_run)
    G, D = run.generator, run.D
    z_star = project(G.sample_z(4, generator=torch.Generator().manual_seed(123)), G.z_dist)
    with torch.no_grad():
        target = G(z_star)
    known = make_mask("center", target.shape[-1], 4)
    start = search_z(G, D, target, known, steps=0, restarts=6, lam=0.0, seed=1)
    found = search_z(G, D, target, known, steps=150, restarts=6, lam=0.0, lr=0.05, seed=1)
    assert found.z.shape == (4, G.nz) and found.images.shape == target.shape
    assert math.isclose(found.z.norm(dim=1).mean().item(), math.sqrt(G.nz), rel_tol=1e-4)
    assert (found.contextual < start.contextual / 5).all()
    filled = paste(found.images, target, known)
    psnr = hole_psnr(filled, target, known)
    mean = hole_psnr(torch.full_like(target, target.mean().item()), target, known)
    assert (psnr > 25).all() and (psnr > mean + 10).all()
    assert not any(p.requires_grad for p in G.parameters())  # weights untouched, modes restored
    assert not G.training and not D.training


def test_best_restart_has_the_lowest_total_and_perceptual_term_counts(tiny_run) -> None:
    run = zerosum.load_run(tiny_run)
    G, D = run.generator, run.D
    target = torch.zeros(2, *G.out_shape)
    known = make_mask("left", target.shape[-1], 2)
    res = search_z(G, D, target, known, steps=5, restarts=3, lam=0.5, seed=0)
    assert torch.allclose(res.total, res.contextual + 0.5 * res.perceptual)
    assert res.history and all(math.isfinite(h) for h in res.history)
    with torch.no_grad():
        again = G(res.z)
    assert torch.allclose(again, res.images, atol=1e-5)


def test_search_shows_progress_per_adam_step(tiny_run, capsys, show_progress) -> None:
    """One image alone takes minutes at the defaults, so the bar moves per step, not per batch of images."""
    run = zerosum.load_run(tiny_run)
    G, D = run.generator, run.D
    target = torch.zeros(1, *G.out_shape)
    search_z(G, D, target, make_mask("center", target.shape[-1], 1), steps=4, restarts=3, seed=0)
    lines = capsys.readouterr().err.splitlines()
    prefix = "completing 1 image(s) (3 restarts each)"
    assert [line.split(",")[0] for line in lines] == [f"{prefix}: {k}/4 step" for k in range(1, 5)]
    assert "eta" in lines[0] and "done in" in lines[-1]


def test_a_watcher_sees_the_best_restart_every_ten_steps(tiny_run) -> None:
    run = zerosum.load_run(tiny_run)
    target = run.generator(run.generator.sample_z(2, generator=torch.Generator().manual_seed(0)))
    known = make_mask("center", target.shape[-1], 2)
    seen = []
    result = search_z(run.generator, run.D, target, known, steps=25, restarts=3,
                      watch=lambda step, images: seen.append((step, tuple(images.shape))))  # fmt: skip
    assert [s for s, _ in seen] == [0, 10, 20, 24] and {shape for _, shape in seen} == {tuple(target.shape)}
    assert len(result.history) == 4
