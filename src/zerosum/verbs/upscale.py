"""`zerosum upscale RUN`: an SRGAN/SRResNet run applied to image files or a dataset's held-out pairs."""

from __future__ import annotations

import argparse


def add_translator_args(p: argparse.ArgumentParser, verb: str, files: str) -> None:
    """What `upscale` and `translate` share: where the images come from and where the results go."""
    p.add_argument("run_dir")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--images", nargs="+", metavar="PATH", help=files)
    which.add_argument(
        "--dataset", help="a dataset's held-out pairs (default: the run's own held-out pairs when no --images)"
    )
    p.add_argument("--n", type=int, default=16, help="pairs of the dataset to show (default 16, at most 256)")
    p.add_argument("--data-root", help="folder holding the dataset")
    p.add_argument("--out", help=f"folder for {verb}.png, {verb}.json and outputs/ (default RUN_DIR/explore/{verb}/)")
    p.add_argument("--checkpoint", default="latest", help="'latest', 'best', or a checkpoint path")
    p.add_argument("--seed", type=int, default=0, help="seed of the degradation's noise and test-time dropout")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "upscale",
        help="super-resolve images with an SRGAN/SRResNet run (input, bicubic, output, target; PSNR/SSIM)",
        description="Each image is taken as a high-resolution target at the run's size and degraded as the run "
        "was trained; writes input | bicubic | output | target side by side, each output, and PSNR/SSIM per image.",
    )
    add_translator_args(p, "upscale", "image files, each taken as a high-resolution target")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from zerosum.translation.translate import upscale

    rec = upscale(args.run_dir, images=args.images, dataset=args.dataset, n=args.n, out=args.out,
                  checkpoint=args.checkpoint, data_root=args.data_root, seed=args.seed)  # fmt: skip
    mean = rec["mean"]
    print(
        f"wrote {rec['folder']}/upscale.png and upscale.json: {len(rec['images'])} images ×{rec['factor']}, "
        f"PSNR {mean['psnr']:.2f} dB (bicubic {mean['psnr_bicubic']:.2f}), SSIM {mean['ssim']:.3f} "
        f"(bicubic {mean['ssim_bicubic']:.3f})"
    )
    return 0
