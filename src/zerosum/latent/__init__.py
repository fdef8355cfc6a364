"""What one can do with a trained generator's latent space (DCGAN paper §6): walks, vector arithmetic, forgetting.

Every function takes a loaded `Run` and works on its generator (the EMA copy when training kept one). The
`explore_*` functions (and `forget.forget`) are what the CLI verbs call: they also write a picture and a JSON record.
"""

from zerosum.latent.arithmetic import (
    along,
    combine,
    direction,
    explore_arithmetic,
    explore_direction,
    group_mean,
    noise_around,
)
from zerosum.latent.forget import ObjectMaps, fit_object_maps, generate_without
from zerosum.latent.interpolate import interpolate, lerp, path_points, seed_z, segment, slerp, walk
from zerosum.latent.sheet import labelled_rows, load_sheet, numbered_grid, save_sheet
from zerosum.latent.walks import explore_interpolation

__all__ = [
    "ObjectMaps",
    "along",
    "combine",
    "direction",
    "explore_arithmetic",
    "explore_direction",
    "explore_interpolation",
    "fit_object_maps",
    "generate_without",
    "group_mean",
    "interpolate",
    "labelled_rows",
    "lerp",
    "load_sheet",
    "noise_around",
    "numbered_grid",
    "path_points",
    "save_sheet",
    "seed_z",
    "segment",
    "slerp",
    "walk",
]
