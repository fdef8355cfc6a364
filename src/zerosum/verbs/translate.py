"""`zerosum translate RUN`: a pix2pix run applied to photos (→ masks) or masks (→ photos)."""

from __future__ import annotations

import argparse

from zerosum.verbs.upscale import add_translator_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "translate",
        help="translate photos to masks or masks to photos with a pix2pix run",
        description="Writes input | output (| target) side by side, each output (masks as class-index PNGs and "
        "in colour), and for photo → mask with known masks the pixel accuracy and mean IoU per image.",
    )
    add_translator_args(
        p, "translate", "image files: photos for a photo → mask run; masks (grey class indices or palette colours) "
        "for a mask → photo run",
    )  # fmt: skip
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from zerosum.translation.translate import translate

    rec = translate(args.run_dir, images=args.images, dataset=args.dataset, n=args.n, out=args.out,
                    checkpoint=args.checkpoint, data_root=args.data_root, seed=args.seed)  # fmt: skip
    line = f"wrote {rec['folder']}/translate.png and translate.json: {len(rec['images'])} images, {rec['task']}"
    if "overall" in rec:
        o = rec["overall"]
        line += f", pixel accuracy {o['pixel_accuracy']:.3f}, mean IoU {o['mean_iou']:.3f}"
    print(line)
    return 0
