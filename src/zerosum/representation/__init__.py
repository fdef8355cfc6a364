"""D features as a representation (Radford et al. 2015, §5.1): pooled D activations + a linear L2-SVM.

`evaluate_features(run, dataset, labels=1000, seeds=5)` runs the whole protocol (with a supervised baseline of the
same architecture) and returns a JSON-able record; `plot_record` draws it. The pieces live in `features`
(extraction), `svm` (subsets, C search, fit) and `supervised` (the baseline).
"""

from zerosum.representation.evaluate import BASELINE, SVM, evaluate_features
from zerosum.representation.features import extract, feature_dim, pool_features
from zerosum.representation.plot import plot_record

__all__ = ["BASELINE", "SVM", "evaluate_features", "extract", "feature_dim", "plot_record", "pool_features"]
