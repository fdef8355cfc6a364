"""The pix2pix experiments: `pix2pix-shapes` (photo → mask against U-Nets on a pixel loss alone, and mask → photo
scored by a segmenter) and `pix2pix-fashion` (silhouette → garment, cGAN + L1 against L1 alone)."""

from __future__ import annotations

from zerosum.images import save_png
from zerosum.reproduce.job import Job
from zerosum.reproduce.registry import Outcome, Row
from zerosum.run import load_run
from zerosum.translation.evaluate import translate_pairs
from zerosum.translation.picture import pair_picture

SHOWN = 8


def _pair_figures(job: Job, runs: dict, table: dict, what: str) -> None:
    """input | output | truth of each run's first held-out pairs, as figure KEY.png captioned from `table`."""
    for key, (_, _, caption) in table.items():
        t = translate_pairs(load_run(runs[key]), limit=SHOWN)
        picture = pair_picture(t.inputs, t.outputs, t.targets, t.task)
        save_png(job.figure(f"{key}.png", f"Held-out {what}, {caption}: input | output | truth"), picture)


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
    _pair_figures(job, runs, P2P_RUNS, "shapes")
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


FASHION_RUNS = {  # key: (run name, overrides of `pix2pix-fashion`, caption)
    "cgan": ("mask-to-photo", [], "silhouette → garment, cGAN + 100·L1"),
    "l1": ("mask-to-photo-l1", ["model.adv_weight=0"], "silhouette → garment, L1 alone"),
}


def pix2pix_fashion(job: Job) -> Outcome:
    """Silhouette → garment with and without D: the LeNet's Fréchet distance says how garment-like the photos are,
    the silhouette IoU whether they keep to the outline they were given."""
    p = job.params
    over = [*p["overrides"], f"train.steps={p['steps']}"]
    todo = [([*over, *extra], name) for name, extra, _ in FASHION_RUNS.values()]
    runs = dict(zip(FASHION_RUNS, job.train_many("pix2pix-fashion", todo, int(p.get("workers", 1))), strict=True))
    rec = {k: job.evaluate(runs[k], ["fd_lenet_pairs", "silhouette_iou"]) for k in FASHION_RUNS}
    _pair_figures(job, runs, FASHION_RUNS, "garments")
    fd = {k: rec[k]["fd_lenet_pairs"]["value"] for k in rec}
    iou = {k: rec[k]["silhouette_iou"]["value"] for k in rec}
    rows = [
        Row("silhouette → garment, Fréchet distance in LeNet features, cGAN + 100·L1 / L1 alone",
            f"{fd['cgan']:.1f} / {fd['l1']:.1f}", anchor="pix2pix labels → photo: L1 alone blurry, cGAN + L1 sharp",
            note="lower is more like the real garments"),
        Row("silhouette → garment, silhouette IoU, cGAN + 100·L1 / L1 alone", f"{iou['cgan']:.3f} / {iou['l1']:.3f}",
            anchor="pix2pix FCN-score, Cityscapes labels → photo: L1 0.42, cGAN + L1 0.66 per-pixel accuracy",
            note="real photos: 1 by construction"),
    ]  # fmt: skip
    n, threshold = rec["cgan"]["silhouette_iou"]["details"]["n"], rec["cgan"]["silhouette_iou"]["details"]["threshold"]
    text = (
        f"Two runs of {p['steps']:,} steps of `pix2pix-fashion` with "
        f"{', '.join(f'`{o}`' for o in p['overrides']) or 'its settings'}: cGAN + 100·L1 (the paper's objective) "
        f"and the same U-Net with `model.adv_weight=0`. The masks are Fashion-MNIST's garments with every pixel "
        f"brighter than {threshold} of 255 marked, so G must draw a garment's texture inside its outline. Scores on "
        f"the {n:,} images of the test split: the Fréchet distance of the LeNet trained on Fashion-MNIST between "
        "G's garments and the real ones (`fd_lenet_pairs`), and the IoU between the silhouette of G's garment, "
        "thresholded as the masks were, and its input mask (`silhouette_iou`). The paper found L1 alone blurry "
        f"and the cGAN sharper on labels → photo. Here the cGAN's garments are {fd['l1'] / fd['cgan']:.1f} times "
        f"closer to the real ones in LeNet features ({fd['cgan']:.1f} against {fd['l1']:.1f}), while both keep to "
        f"their outlines (IoU {iou['cgan']:.3f} and {iou['l1']:.3f}): D changes what is drawn inside, not where."
    )
    return Outcome(rows, job.figures, text)
