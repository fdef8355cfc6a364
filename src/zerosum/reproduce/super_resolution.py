"""The super-resolution experiments `srgan-faces`, `srgan-cifar10` and `srgan-mnist`: SRResNet and SRGAN 4× on
held-out Olivetti subjects, on CIFAR-10's and MNIST's test splits, and (MNIST) what a feature term of the content
loss does to the GAN stage.

SRGAN's two stages are one run: its checkpoint at `pixel_steps` (kept by `train.keep_every`) is the SRResNet the
GAN starts from, so the SRResNet row and the SRGAN row share the pixel-loss training, as in the paper. A variant
run differs from the base run only in its overrides of the GAN stage (a feature term joins at `pixel_steps` too),
so it trains the same SRResNet first, from the same seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch

from zerosum.images import save_png
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run
from zerosum.sizes import image_size
from zerosum.training import checkpoint
from zerosum.training.checkpoint import checkpoint_name
from zerosum.translation.evaluate import translate_pairs
from zerosum.translation.picture import as_rgb, side_by_side

SHOWN = 8


@dataclass(frozen=True)
class Variant:
    """Another GAN stage after the same SRResNet: its run is `srgan-KEY`, its rows are named by `label`."""

    key: str
    label: str
    overrides: list[str]
    anchor: str = "—"


PERCEPTUAL = {  # metric → how its rows name it
    "fid_sr": "FID of upscaled held-out images",
    "fd_lenet_pairs": "Fréchet distance in LeNet features of upscaled held-out images",
}


def _db(x: float) -> str:
    return f"{x:.2f} dB"


def srgan(job: Job) -> Outcome:
    """Params: preset, overrides, pixel_steps, gan_steps; optional target_gain (dB over bicubic), perceptual (a
    metric of PERCEPTUAL), perceptual_target (SRGAN < SRResNet is a target), variants (`Variant` fields as lists:
    further GAN stages), workers, and the text's images / held_out."""
    p = job.params
    pixel, total = int(p["pixel_steps"]), int(p["pixel_steps"]) + int(p["gan_steps"])
    every = math.gcd(pixel, job.config(p["preset"], p["overrides"]).train.ckpt_every)  # a checkpoint lands on pixel
    over = [*p["overrides"], f"model.pixel_steps={pixel}", f"train.steps={total}", f"train.keep_every={pixel}",
            f"train.ckpt_every={every}"]  # fmt: skip
    variants = [Variant(*v) for v in p.get("variants", [])]
    todo = [(over, "srgan"), *[([*over, *v.overrides], f"srgan-{v.key}") for v in variants]]
    base, *others = job.train_many(p["preset"], todo, int(p.get("workers", 1)))
    perceptual = p.get("perceptual", "fid_sr")
    metrics = ["psnr_y", "ssim_y", perceptual]
    resnet = job.evaluate(base, metrics, checkpoint_name(pixel))
    gan = job.evaluate(base, metrics, "latest")
    extra = {v.key: job.evaluate(run, metrics, "latest") for v, run in zip(variants, others, strict=True)}
    bic = {m: resnet[m]["details"]["bicubic"] for m in metrics}
    columns = [("SRResNet", base, checkpoint_name(pixel)), ("SRGAN", base, "latest")]
    _picture(job, [*columns, *[(v.label, r, "latest") for v, r in zip(variants, others, strict=True)]],
             p.get("images", "faces"))  # fmt: skip
    psnr_gain = resnet["psnr_y"]["value"] - bic["psnr_y"]
    need = p.get("target_gain")
    score = PERCEPTUAL[perceptual]
    fd = {"resnet": resnet[perceptual]["value"], "gan": gan[perceptual]["value"]}
    rows = [
        Row("PSNR, bicubic (held-out)", _db(bic["psnr_y"]), anchor="Set5 4×: 28.43 dB"),
        Row("PSNR, SRResNet", _db(resnet["psnr_y"]["value"]), anchor="Set5 4×: 32.05 dB (+3.62)",
            target="—" if need is None else f"≥ bicubic + {float(need):.1f} dB",
            met=None if need is None else psnr_gain >= float(need), note=f"{psnr_gain:+.2f} dB over bicubic"),
        Row("PSNR, SRGAN", _db(gan["psnr_y"]["value"]), anchor="Set5 4×: 29.40 dB",
            note=f"{gan['psnr_y']['value'] - resnet['psnr_y']['value']:+.2f} dB against SRResNet"),
        Row("SSIM bicubic / SRResNet / SRGAN",
            f"{bic['ssim_y']:.3f} / {resnet['ssim_y']['value']:.3f} / {gan['ssim_y']['value']:.3f}",
            anchor="Set5 4×: SRResNet 0.9019, SRGAN 0.8472"),
        Row(f"{score}, bicubic / SRResNet / SRGAN", f"{bic[perceptual]:.1f} / {fd['resnet']:.1f} / {fd['gan']:.1f}",
            anchor="SRGAN's MOS: SRGAN rated above SRResNet",
            target="SRGAN < SRResNet" if p.get("perceptual_target", True) else "—",
            met=fd["gan"] < fd["resnet"] if p.get("perceptual_target", True) else None,
            note=f"{gan[perceptual]['details']['n']} images"),
    ]  # fmt: skip
    for v in variants:
        r = extra[v.key]
        value = f"{_db(r['psnr_y']['value'])} / {r['ssim_y']['value']:.3f} / {r[perceptual]['value']:.1f}"
        against = f"{r['psnr_y']['value'] - gan['psnr_y']['value']:+.2f} dB against SRGAN"
        rows.append(Row(f"PSNR / SSIM / {score}, {v.label}", value, anchor=v.anchor, note=against))
    shared = _same_srresnet(base, others, pixel)
    text = _sr_text(job, resnet, gan, bic, pixel, total, perceptual) + _variants_text(variants, shared)
    return Outcome(rows, job.figures, text)


def _same_srresnet(base: Path, others: list[Path], pixel: int) -> bool:
    """Whether every variant's checkpoint at `pixel` holds the base run's G, bit for bit."""

    def weights(run: Path) -> dict[str, torch.Tensor]:
        return checkpoint.load(run / "checkpoints" / checkpoint_name(pixel))["G"]

    first = weights(base)
    return all(all(torch.equal(first[k], w[k]) for k in first) for w in map(weights, others))


def _picture(job: Job, columns: list[tuple[str, Path, str]], images: str) -> None:
    """input | bicubic | each upscaler's output | target for the first held-out images."""
    outs = [translate_pairs(load_run(run, ckpt), limit=SHOWN) for _, run, ckpt in columns]
    first = outs[0]
    size = tuple(first.targets.shape[-2:])
    cols = [as_rgb(x, (0.0, 1.0), False, size) for x in
            (first.inputs, first.bicubic(), *[t.outputs for t in outs], first.targets)]  # fmt: skip
    small = image_size(tuple(first.inputs.shape[-2:]))
    names = " | ".join(name for name, _, _ in columns)
    caption = f"Held-out {images}: input ({small}, shown enlarged) | bicubic | {names} | original"
    save_png(job.figure("upscaled.png", caption), side_by_side(cols, per_row=2 if len(cols) <= 5 else 1))


def _sr_text(job: Job, resnet: dict, gan: dict, bic: dict, pixel: int, total: int, perceptual: str) -> str:
    p = job.params
    n = resnet["psnr_y"]["details"]["n"]
    images, held_out = p.get("images", "faces"), p.get("held_out", "the held-out subjects")
    details = resnet["psnr_y"]["details"]
    channel = "luminance (Y of BT.601)" if details["channel"].startswith("Y") else "grey level"
    name = "FID" if perceptual == "fid_sr" else "the Fréchet distance in LeNet features"
    text = (
        f"`{p['preset']}` with {', '.join(f'`{o}`' for o in p['overrides']) or 'its settings'}: {pixel:,} steps of "
        f"the content loss alone (the SRResNet), then {total - pixel:,} steps with D (SRGAN, adversarial weight "
        f"1e-3). Scores on the {n:,} images of {held_out}, on the {channel} with a border of {details['crop']} pixels "
        f"cropped (`psnr_y`, `ssim_y`). SRResNet gains {resnet['psnr_y']['value'] - bic['psnr_y']:+.2f} dB over "
        f"bicubic; the adversarial stage moves PSNR by {gan['psnr_y']['value'] - resnet['psnr_y']['value']:+.2f} "
        f"dB and {name} (`{perceptual}`) from {resnet[perceptual]['value']:.1f} to {gan[perceptual]['value']:.1f} "
        f"(bicubic {bic[perceptual]:.1f}, over {gan[perceptual]['details']['n']} images). The paper's trade is PSNR "
        "for realism: SRGAN loses 2.65 dB on Set5 against SRResNet and wins the opinion scores."
    )
    if perceptual == "fid_sr":
        text += (
            f" FID here is over a few hundred images at most, so it ranks the upscalers on these {images} and is not "
            "comparable to any published FID."
        )
    return text


def _variants_text(variants: list[Variant], shared: bool) -> str:
    if not variants:
        return ""
    runs = "; ".join(f"{v.label}: {', '.join(f'`{o}`' for o in v.overrides)}" for v in variants)
    same = (
        "every variant's SRResNet checkpoint holds the same weights as the base run's, bit for bit, so the rows "
        "differ by the GAN stage alone"
        if shared
        else "their SRResNet checkpoints differ from the base run's (another thread count or machine), so the rows "
        "differ by more than the GAN stage"
    )
    said = {o for v in variants for o in v.overrides}
    text = f" The variants change the GAN stage only ({runs}); {same}."
    if "model.adv_weight=0" in said:
        text += (
            " With `model.adv_weight=0` the second stage is more of the content loss alone: the SRResNet trained for "
            "as many steps as SRGAN, the PSNR reference for a GAN stage that keeps the content loss."
        )
    if any(o.startswith("model.feature_loss=") for o in said):
        text += (
            " A feature term joins with D at `pixel_steps`. The paper's content loss is VGG-19's features "
            "(SRGAN-VGG54 was rated above SRGAN-MSE); their weights cannot be downloaded here, so D's own "
            "activations and the project's LeNet stand in."
        )
    if "model.feature_loss=lenet" in said:
        text += (
            " The LeNet term optimises the features `fd_lenet_pairs` measures: its row there is no independent score."
        )
    return text
