"""`zerosum arithmetic RUN --a IDS --b IDS --c IDS`: A − B + C on the means of z picked from a numbered sheet."""

from __future__ import annotations

import argparse

from zerosum.verbs import add_output_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "arithmetic",
        help="vector arithmetic on z picked from a numbered sample sheet (A - B + C, or a direction)",
        description="Pick ids off a sheet written by `zerosum sample RUN --numbered` (DCGAN paper §6.3). "
        "Unconditional runs only.",
    )
    p.add_argument("run_dir")
    p.add_argument("--sheet", help="the .npz of a numbered sheet (default RUN_DIR/sample_seed0.npz)")
    p.add_argument("--a", required=True, help="ids of group A, e.g. 3,17,42 (the paper uses 3 per group)")
    p.add_argument("--b", required=True, help="ids of group B")
    p.add_argument("--c", help="ids of group C (not with --direction)")
    p.add_argument("--noise", type=float, default=0.25, help="scale of the uniform noise around the result")
    p.add_argument("--neighbours", type=int, default=8, help="images drawn from the result plus noise (default 8)")
    p.add_argument(
        "--direction", action="store_true", help="walk d = mean(A) - mean(B) at --strengths from several bases"
    )
    p.add_argument(
        "--strengths",
        default="-2,-1,0,1,2",
        help="multiples of the direction; write --strengths=-3,0,3 (with =) when the list starts with a minus",
    )
    bases = p.add_mutually_exclusive_group()
    bases.add_argument("--base", help="sheet ids of the bases to walk from (default: 4 random z from --seed)")
    bases.add_argument("--base-seeds", help="seeds whose z are the bases, e.g. 1,2,3")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise (and of the default bases)")
    add_output_args(p, "arithmetic")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import zerosum
    from zerosum.explore import parse_floats, parse_ints
    from zerosum.latent.arithmetic import explore_arithmetic, explore_direction
    from zerosum.run import require_gan

    a, b = parse_ints(args.a, "--a"), parse_ints(args.b, "--b")
    if args.direction == (args.c is not None):
        need = "--direction takes no --c" if args.direction else "give --c IDS (or --direction for a walk)"
        raise zerosum.ConfigError(f"{need}: A - B + C needs three groups, a direction two")
    if not args.direction and (args.base or args.base_seeds):
        raise zerosum.ConfigError("--base and --base-seeds choose where a --direction walk starts; add --direction")
    sheet = Path(args.sheet) if args.sheet else Path(args.run_dir) / "sample_seed0.npz"
    if not sheet.is_file() and not args.sheet:
        raise zerosum.ConfigError(
            f"no numbered sheet at {sheet}; make one with `zerosum sample {args.run_dir} --numbered` and pick ids on it"
        )
    run = require_gan(zerosum.load_run(args.run_dir, args.checkpoint), "arithmetic")
    if args.direction:
        rec = explore_direction(
            run,
            sheet,
            a,
            b,
            strengths=parse_floats(args.strengths, "--strengths"),
            base_ids=parse_ints(args.base, "--base") if args.base else None,
            base_seeds=parse_ints(args.base_seeds, "--base-seeds") if args.base_seeds else None,
            seed=args.seed,
            out=args.out,
        )
        what = f"direction |d| = {rec['direction_norm']:.2f} from {len(rec['bases'])} bases"
    else:
        rec = explore_arithmetic(
            run,
            sheet,
            a,
            b,
            parse_ints(args.c, "--c"),
            noise=args.noise,
            neighbours=args.neighbours,
            seed=args.seed,
            out=args.out,
        )
        what = f"A - B + C, |result| = {rec['result_norm']:.2f}, {rec['neighbours']} neighbours ±{rec['noise']:g}"
    print(f"wrote {rec['picture']} ({what}, step {run.step}) and {rec['record']}")
    return 0
