"""Metrics whose name is their protocol. Importing this package registers every protocol (see `registry`)."""

from zerosum.metrics import coverage, domain, fid, parzen  # noqa: F401  (each import registers that file's protocols)
from zerosum.metrics.registry import REGISTRY, EvalContext, Metric, get_metric, parse_metric_list

__all__ = ["REGISTRY", "EvalContext", "Metric", "get_metric", "parse_metric_list"]
