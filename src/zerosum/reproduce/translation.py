"""The image-to-image experiments: `srgan-faces` and `srgan-cifar10` (SRResNet and SRGAN 4× on held-out Olivetti
subjects, on CIFAR-10's test split) and `pix2pix-shapes` (photo → mask against U-Nets on a pixel loss alone, and
mask → photo scored by a segmenter).

SRGAN's two stages are one run: its checkpoint at `pixel_steps` (kept by `train.keep_every`) is the SRResNet the
GAN starts from, so the SRResNet row and the SRGAN row share the pixel-loss training, as in the paper.
"""

from __future__ import annotations

import math

from zerosum.images import save_png
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run
from zerosum.sizes import image_size
from zerosum.training.checkpoint import checkpoint_name
from zerosum.translation.evaluate import translate_pairs
from zerosum.translation.picture import as_rgb, pair_picture, side_by_side

SHOWN = 8


def _db(x: float) -> str:
    return f"{x:.2f} dB"


def srgan(job: Job) -> Outcome:
    p = job.params
    pixel, total = int(p["pixel_steps"]), int(p["pixel_steps"]) + int(p["gan_steps"])
    every = math.gcd(pixel, job.config(p["preset"], p["overrides"]).train.ckpt_every)  # a checkpoint lands on pixel
    over = [*p["overrides"], f"model.pixel_steps={pixel}", f"train.steps={total}", f"train.keep_every={pixel}",
            f"train.ckpt_every={every}"]  # fmt: skip
    run_dir = job.train(p["preset"], over, name="srgan")
    metrics = ["psnr_y", "ssim_y", "fid_sr"]
    resnet = job.evaluate(run_dir, metrics, checkpoint_name(pixel))
    gan = job.evaluate(run_dir, metrics, "latest")
    bic = {m: resnet[m]["details"]["bicubic"] for m in metrics}
    _picture(job, run_dir, pixel, p.get("images", "faces"))
    psnr_gain = resnet["psnr_y"]["value"] - bic["psnr_y"]
    need = float(p["target_gain"])
    rows = [
        Row("PSNR, bicubic (held-out)", _db(bic["psnr_y"]), anchor="Set5 4×: 28.43 dB"),
        Row("PSNR, SRResNet", _db(resnet["psnr_y"]["value"]), anchor="Set5 4×: 32.05 dB (+3.62)",
            target=f"≥ bicubic + {need:.1f} dB", met=psnr_gain >= need, note=f"{psnr_gain:+.2f} dB over bicubic"),
        Row("PSNR, SRGAN", _db(gan["psnr_y"]["value"]), anchor="Set5 4×: 29.40 dB",
            note=f"{gan['psnr_y']['value'] - resnet['psnr_y']['value']:+.2f} dB against SRResNet"),
        Row("SSIM bicubic / SRResNet / SRGAN",
            f"{bic['ssim_y']:.3f} / {resnet['ssim_y']['value']:.3f} / {gan['ssim_y']['value']:.3f}",
            anchor="Set5 4×: SRResNet 0.9019, SRGAN 0.8472"),
        Row("FID of upscaled held-out images, bicubic / SRResNet / SRGAN",
            f"{bic['fid_sr']:.1f} / {resnet['fid_sr']['value']:.1f} / {gan['fid_sr']['value']:.1f}",
            anchor="SRGAN's MOS: SRGAN rated above SRResNet", target="SRGAN < SRResNet",
            met=gan["fid_sr"]["value"] < resnet["fid_sr"]["value"],
            note=f"{gan['fid_sr']['details']['n']} images"),
    ]  # fmt: skip
    return Outcome(rows, job.figures, _sr_text(job, resnet, gan, bic, pixel, total))


def _picture(job: Job, run_dir, pixel: int, images: str) -> None:
    """input | bicubic | SRResNet | SRGAN | target for the first held-out images."""
    resnet = translate_pairs(load_run(run_dir, checkpoint_name(pixel)), limit=SHOWN)
    gan = translate_pairs(load_run(run_dir), limit=SHOWN)
    size = tuple(gan.targets.shape[-2:])
    cols = [as_rgb(x, (0.0, 1.0), False, size) for x in
            (gan.inputs, gan.bicubic(), resnet.outputs, gan.outputs, gan.targets)]  # fmt: skip
    small = image_size(tuple(gan.inputs.shape[-2:]))
    caption = f"Held-out {images}: input ({small}, shown enlarged) | bicubic | SRResNet | SRGAN | original"
    save_png(job.figure("upscaled.png", caption), side_by_side(cols, per_row=2))


def _sr_text(job: Job, resnet: dict, gan: dict, bic: dict, pixel: int, total: int) -> str:
    p = job.params
    n = resnet["psnr_y"]["details"]["n"]
    images, held_out = p.get("images", "faces"), p.get("held_out", "the held-out subjects")
    details = resnet["psnr_y"]["details"]
    channel = "luminance (Y of BT.601)" if details["channel"].startswith("Y") else "grey level"
    return (
        f"`{p['preset']}` with {', '.join(f'`{o}`' for o in p['overrides']) or 'its settings'}: {pixel:,} steps of "
        f"the content loss alone (the SRResNet), then {total - pixel:,} steps with D (SRGAN, adversarial weight "
        f"1e-3). Scores on the {n:,} images of {held_out}, on the {channel} with a border of {details['crop']} pixels "
        f"cropped (`psnr_y`, `ssim_y`). SRResNet gains {resnet['psnr_y']['value'] - bic['psnr_y']:+.2f} dB over "
        f"bicubic; the adversarial stage moves PSNR by {gan['psnr_y']['value'] - resnet['psnr_y']['value']:+.2f} "
        f"dB and FID from {resnet['fid_sr']['value']:.1f} to {gan['fid_sr']['value']:.1f} (bicubic "
        f"{bic['fid_sr']:.1f}, over {gan['fid_sr']['details']['n']} images). The paper's trade is PSNR for "
        "realism: SRGAN loses 2.65 dB on Set5 against SRResNet and wins the opinion scores. FID here is over a few "
        f"hundred images at most, so it ranks the three upscalers on these {images} and is not comparable to any "
        "published FID."
    )


PHOTO_RUN = ["data.pairs.task=mask_to_photo", "model.pixel_loss=l1"]  # the settings of `pix2pix-shapes-photo`
P2P_RUNS = {  # key: (run name, overrides of `pix2pix-shapes`, caption)
    "cgan": ("photo-to-mask", [], "photo → mask, cGAN + pixel loss"),
    "pixel": ("photo-to-mask-pixel", ["model.adv_weight=0"], "photo → mask, pixel loss alone"),
    "l1": ("photo-to-mask-l1", ["model.adv_weight=0", "model.pixel_loss=l1"], "photo → mask, L1 alone"),
    "photo": ("mask-to-photo", PHOTO_RUN, "mask → photo, cGAN + L1"),
}


def pix2pix(job: Job) -> Outcome:
    p = job.params
    over = [*p["overrides"], f"train.steps={p['steps']}"]
    masks = [*over, *p.get("mask_recipe", [])]  # the photo → mask runs' recipe; mask → photo keeps the paper's
    todo = [([*(over if key == "photo" else masks), *extra], name) for key, (name, extra, _) in P2P_RUNS.items()]
    runs = dict(zip(P2P_RUNS, job.train_many("pix2pix-shapes", todo, int(p.get("workers", 1))), strict=True))
    seg = {k: job.evaluate(runs[k], ["pixel_accuracy", "mean_iou"]) for k in ("cgan", "pixel", "l1")}
    score = job.evaluate(runs["photo"], ["segmenter_score"])["segmenter_score"]
    for key, (_, _, caption) in P2P_RUNS.items():
        t = translate_pairs(load_run(runs[key]), limit=SHOWN)
        picture = pair_picture(t.inputs, t.outputs, t.targets, t.task)
        save_png(job.figure(f"{key}.png", f"Held-out shapes, {caption}: input | output | truth"), picture)
    m = job.config("pix2pix-shapes", masks).model
    loss, weight = m.pixel_loss.upper(), f"{m.pixel_weight:g}"
    iou = {k: seg[k]["mean_iou"]["value"] for k in seg}
    acc = {k: seg[k]["pixel_accuracy"]["value"] for k in seg}
    real = score["details"]["real"]
    rows = [
        Row(f"photo → mask mean IoU, cGAN + {weight}·{loss}", f"{iou['cgan']:.3f}", target="≥ 0.90",
            met=iou["cgan"] >= 0.90),
        Row(f"photo → mask mean IoU, {loss} alone (no D)", f"{iou['pixel']:.3f}",
            note="pix2pix: L1 alone scored above L1 + cGAN on photo → labels"),
        Row("photo → mask mean IoU, L1 alone (the paper's pixel loss)", f"{iou['l1']:.3f}",
            note="L1 on one-hot maps: see the text"),
        Row(f"photo → mask pixel accuracy, cGAN + {loss} / {loss} alone / L1 alone",
            f"{acc['cgan']:.3f} / {acc['pixel']:.3f} / {acc['l1']:.3f}",
            anchor="Cityscapes: cGAN + L1 0.83, L1 0.86"),
        Row("mask → photo segmenter score (generated / real)", f"{score['value']:.3f} / {real:.3f}",
            anchor="pix2pix FCN-score, Cityscapes: 0.66 / 0.80", target="≥ 0.9 × real",
            met=score["value"] >= 0.9 * real, note=f"ratio {score['details']['ratio']:.3f}"),
    ]  # fmt: skip
    return Outcome(rows, job.figures, _p2p_text(job, seg, score, f"{weight}·{loss}"))


def _p2p_text(job: Job, seg: dict, score: dict, loss: str) -> str:
    p = job.params
    per_class = seg["cgan"]["mean_iou"]["details"]["iou"]
    names = seg["cgan"]["mean_iou"]["details"]["classes"]
    classes = ", ".join(f"{c} {v:.3f}" for c, v in zip(names, per_class, strict=True) if v is not None)
    recipe = ", ".join(f"`{o}`" for o in [*p["overrides"], *p.get("mask_recipe", [])]) or "its settings"
    return (
        f"Four runs of {p['steps']:,} steps on the generated `shapes` (32×32, one to three shapes per image on "
        f"textured backgrounds), `pix2pix-shapes` with {recipe}: photo → mask with cGAN + {loss}, the same "
        f"with `model.adv_weight=0` (a U-Net on the pixel loss alone, no D), the same on L1 alone (the paper's "
        "pixel loss), and mask → photo (the settings of `pix2pix-shapes-photo`, cGAN + 100·L1, and only "
        f"{', '.join(f'`{o}`' for o in p['overrides']) or 'the steps'} of the above). Masks are G's "
        "output as one-hot maps in [−1, 1], read back by argmax. L1 is a poor loss for them: its minimiser per "
        "channel is the median, +1 where the class is more likely than not and −1 elsewhere, so wherever no class "
        "is more likely than ½ every channel sits at −1 and the argmax ranks nothing; the squared error's "
        "minimiser is 2p − 1, which keeps the ranking (it is the Brier score, a proper scoring rule). Masks are "
        f"scored on the {seg['cgan']['mean_iou']['details']['n']:,} held-out images; IoU per class of the cGAN "
        f"run: {classes}. The segmenter score applies a U-Net segmenter trained on real shapes to the photos G "
        "draws from the held-out masks; pix2pix's FCN-score does the same with an FCN trained on Cityscapes."
    )
