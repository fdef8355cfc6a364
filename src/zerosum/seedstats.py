"""How results over several seeds are reported: mean, sample standard deviation, and every seed's value."""

from __future__ import annotations

from typing import Any

import numpy as np


def summary(values: list[float]) -> dict[str, Any]:
    """Mean and sample standard deviation (0 for one seed) of per-seed values, with the values themselves."""
    arr = np.asarray(values, dtype=float)
    return {"mean": float(arr.mean()), "std": float(arr.std(ddof=1)) if len(arr) > 1 else 0.0, "per_seed": values}
