"""`zerosum complete RUN`: fill masked regions of images by searching G's latent space (Yeh et al. 2017)."""

from __future__ import annotations

import argparse

from zerosum.verbs import add_output_args

MASK_HELP = "center (25 %% hole), random (80 %% of pixels missing), left (left half), grid (checkerboard), lowres"


class _Defaults:
    """Copies of `completion.evaluate.Settings`' defaults (a test keeps them equal), so `zerosum --help` does not
    import torch."""

    steps = 500
    restarts = 8
    lam = 0.003
    lr = 0.1
    blend = "poisson"


def add_parser(sub: argparse._SubParsersAction) -> None:
    d = _Defaults
    p = sub.add_parser(
        "complete",
        help="complete masked images by searching G's latent space, against mean-fill and Telea baselines",
        description="Semantic image completion (Yeh et al. 2017): Adam on z for a weighted contextual L1 loss on "
        "the known pixels plus lam * log(1 - D(G(z))), best of several restarts, then G(z)'s hole blended in. "
        "Writes a picture (masked | G(z) | blended | baselines | original) and a JSON of hole PSNR/SSIM.",
    )
    p.add_argument("run_dir")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--images", nargs="+", metavar="PATH", help="image files, resized to the run's size")
    src.add_argument("--dataset", metavar="NAME", help="n seeded images of this dataset (default: the run's own)")
    p.add_argument("--split", default="test", choices=("train", "test", "all"), help="dataset split (default test)")
    p.add_argument("--n", type=int, default=16, help="dataset images to complete (default 16)")
    p.add_argument("--seed", type=int, default=0, help="which dataset images, random masks and starting z")
    p.add_argument("--mask", required=True, help=MASK_HELP)
    p.add_argument("--steps", type=int, default=d.steps, help=f"Adam steps on z (default {d.steps})")
    p.add_argument("--restarts", type=int, default=d.restarts, help=f"z starts per image (default {d.restarts})")
    p.add_argument("--lam", type=float, default=d.lam, help=f"weight of the perceptual loss (default {d.lam})")
    p.add_argument("--lr", type=float, default=d.lr, help=f"Adam learning rate on z (default {d.lr})")
    p.add_argument("--blend", default=d.blend, help=f"poisson, feather or none (default {d.blend})")
    p.add_argument(
        "--baselines",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also complete with mean-colour fill and OpenCV Telea, scored the same way (default on)",
    )
    add_output_args(p, "complete")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import zerosum
    from zerosum.completion.evaluate import Settings
    from zerosum.completion.explore import explore_completion, summary_line
    from zerosum.completion.masks import make_mask
    from zerosum.run import require_gan

    make_mask(args.mask, 2)  # a wrong mask name fails before the run is loaded
    settings = Settings(
        steps=args.steps, restarts=args.restarts, lam=args.lam, lr=args.lr, blend=args.blend, seed=args.seed
    ).check()
    run = require_gan(zerosum.load_run(args.run_dir, args.checkpoint), "complete")
    rec = explore_completion(
        run,
        mask=args.mask,
        images=args.images,
        dataset=args.dataset,
        split=args.split,
        n=args.n,
        seed=args.seed,
        settings=settings,
        baselines=args.baselines,
        out=args.out,
    )  # the search shows its own progress bar with an ETA (per Adam step, not per batch of images)
    print(f"wrote {rec['picture']} and {rec['record']} ({rec['images']} images, {rec['seconds']:.0f} s)")
    print(summary_line(rec))
    return 0
