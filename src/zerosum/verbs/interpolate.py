"""`zerosum interpolate RUN`: rows of images walking between latent points, a GIF, and nearest training images."""

from __future__ import annotations

import argparse

from zerosum.verbs import add_output_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "interpolate",
        help="walk between latent points (rows of images, GIF, nearest training neighbours)",
        description="Rows of images walking between latent points (DCGAN paper §6.1). A conditional run keeps "
        "one class per row (row r draws class r mod k; a --through walk draws class 0).",
    )
    p.add_argument("run_dir")
    p.add_argument("--steps", type=int, default=10, help="images per walk, both ends included (default 10)")
    p.add_argument("--slerp", action="store_true", help="walk on the great circle instead of a straight line")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--seeds", help="pairs of seeds, e.g. 3,7 or 3,7,1,9: a row from seed a's z to seed b's")
    which.add_argument("--pairs", type=int, help="this many random pairs drawn from --seed (default 4)")
    which.add_argument("--through", help="seeds to walk through in turn, e.g. 1,2,3,4: one row per segment")
    p.add_argument("--gif", action="store_true", help="also write an animated GIF of the walk (PATH stem + .gif)")
    p.add_argument(
        "--neighbours",
        type=int,
        default=0,
        metavar="K",
        help="also show each walk image's K nearest training images (PATH stem + _neighbours.png)",
    )
    p.add_argument("--data-root", help="folder holding the run's dataset, for --neighbours")
    p.add_argument("--seed", type=int, default=0, help="seed of the random pairs")
    add_output_args(p, "interpolate")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import zerosum
    from zerosum.explore import parse_ints
    from zerosum.latent.walks import explore_interpolation
    from zerosum.run import require_gan

    if args.neighbours < 0:
        raise zerosum.ConfigError(f"--neighbours {args.neighbours}: give a count ≥ 1 (or leave it out)")
    run = require_gan(zerosum.load_run(args.run_dir, args.checkpoint), "interpolate")
    rec = explore_interpolation(
        run,
        steps=args.steps,
        mode="slerp" if args.slerp else "lerp",
        seeds=parse_ints(args.seeds, "--seeds") if args.seeds else None,
        pairs=args.pairs,
        through=parse_ints(args.through, "--through") if args.through else None,
        seed=args.seed,
        gif=args.gif,
        neighbours=args.neighbours,
        data_root=args.data_root,
        out=args.out,
    )
    rows = len(rec["z_endpoints"]) - 1 if rec["kind"] == "through" else len(rec["z_endpoints"])
    print(f"wrote {rec['picture']} ({rows} rows of {args.steps}, {rec['mode']}, step {run.step}) and {rec['record']}")
    extra = [str(rec[k]) for k in ("gif", "neighbours_picture") if k in rec]
    if "neighbours" in rec:
        nb = rec["neighbours"]
        ratio = nb["ratio_mean_to_train_median"]
        print(
            f"nearest training image: mean distance {nb['nn_mean']:.2f} vs. {nb['train_nn_median']:.2f} median "
            f"between training images" + (f" (ratio {ratio:.2f}; ≪ 1 means copies)" if ratio is not None else "")
        )
    if extra:
        print("wrote " + " and ".join(extra))
    return 0
