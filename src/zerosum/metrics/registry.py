"""The metric registry: a metric's name is its protocol.

`fid10k_test` means 10,000 generated samples against the test split's Inception statistics, always; a different
sample count or split is a different name. That is what makes a number in `eval/<name>.json` mean the same thing
as the number in a paper (or in another run): the protocol cannot be changed by a flag.

The project's protocols are declared in `catalogue` with their functions' import paths, so listing them
(`zerosum metrics`) needs no torch; each function's module loads when it is first computed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zerosum.errors import ConfigError
from zerosum.sizes import shape_text

if TYPE_CHECKING:  # annotations only: the registry itself loads without torch (see `catalogue`)
    from torch import Tensor

    from zerosum.config import DataConfig


@dataclass
class EvalContext:
    """What a protocol may ask of the model under test. Samples, and anything derived from them (classifier
    outputs, features), are computed once per evaluation and shared: 10k samples cost the same whether one metric
    or five read them."""

    draw: Callable[[int, int], Tensor]  # (n, seed) → n samples: images in [0, 1] (N×C×H×W) or points (N×D)
    data: DataConfig  # the training data; reference splits, domain features and toy modes are chosen by it
    seed: int = 0
    device: str = "cpu"  # where feature networks run (the run's device: Inception is ~50x faster on a GPU)
    backend: str = "auto"  # what runs them there (metrics.backends: eager torch, OpenVINO, ONNX Runtime)
    # a translator's run on its held-out pairs, the first `limit` of them (None: all): `Translations` in [0, 1]
    translate: Callable[[int | None], Any] | None = None
    # a conditional run's samples of given classes: (labels, seed) → one image in [0, 1] per label; None otherwise
    draw_labelled: Callable[[Tensor, int], Tensor] | None = None
    num_classes: int = 0  # a conditional run's classes; `samples(n)` then holds class i mod num_classes at row i
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    @property
    def dataset(self) -> str:
        return self.data.name

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """`compute()` the first time `key` is asked for, the stored result after that."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def samples(self, n: int) -> Tensor:
        return self.memo(("samples", n), lambda: self.draw(n, self.seed))

    def sample_labels(self, n: int) -> Tensor:
        """The class each row of `samples(n)` was drawn for (a conditional run's labels cycle over its classes)."""
        import torch

        if not self.num_classes:
            raise ConfigError("this protocol measures conditional runs; the run under test has no class labels")
        return torch.arange(n) % self.num_classes

    def samples_of(self, labels: Tensor, key: Hashable) -> Tensor:
        """One sample per entry of `labels`, of that class, computed once per `key` (which names the labels)."""
        if self.draw_labelled is None:
            raise ConfigError("this protocol measures conditional runs; the run under test has no class labels")
        return self.memo(("labelled", key), lambda: self.draw_labelled(labels, self.seed))

    def translations(self, limit: int | None = None) -> Any:
        """The translator's outputs on its held-out pairs (inputs, outputs, targets), computed once per limit."""
        if self.translate is None:
            raise ConfigError("this protocol measures image-to-image runs; the run under test is a noise GAN")
        return self.memo(("translations", limit), lambda: self.translate(limit))


Compute = Callable[[EvalContext], dict[str, Any]]  # a protocol: its record, with at least "value"


@dataclass(frozen=True)
class Metric:
    """A registered protocol. `compute` returns a dict with at least "value" (for the catalogue's protocols it is a
    `LazyFunction`, imported on first call); `comparable` names the published numbers it can be set beside, or says
    that it is a project-internal number."""

    name: str
    compute: Compute
    description: str
    higher_is_better: bool
    comparable: str
    datasets: tuple[str, ...] = ()  # empty: any dataset
    shape: tuple[int, ...] | None = None  # the sample shape it needs (C, H, W) or (D,); None: any
    images_only: bool = False  # any C×H×W shape, but not points
    tasks: tuple[str, ...] = ()  # the image-to-image tasks it measures (data.pairs.task); empty: a GAN's samples
    conditional: bool = False  # it needs samples of chosen classes: a conditional run


REGISTRY: dict[str, Metric] = {}


def declare(
    name: str,
    compute: Compute,
    description: str,
    *,
    higher_is_better: bool,
    comparable: str,
    datasets: tuple[str, ...] = (),
    shape: tuple[int, ...] | None = None,
    images_only: bool = False,
    tasks: tuple[str, ...] = (),
    conditional: bool = False,
) -> Metric:
    """Add a protocol to the registry (names are unique) and return it."""
    if name in REGISTRY:
        raise ValueError(f"metric {name!r} is registered twice")
    metric = Metric(
        name, compute, description, higher_is_better, comparable, datasets, shape, images_only, tasks, conditional
    )
    REGISTRY[name] = metric
    return metric


def register(name: str, description: str, **options: Any) -> Callable[[Compute], Compute]:
    """Decorator form of `declare` (same keywords), for a protocol function at hand: your own, a test's stand-in."""

    def add(fn: Compute) -> Compute:
        declare(name, fn, description, **options)
        return fn

    return add


def list_metrics() -> list[Metric]:
    """Every registered protocol, by name."""
    return [REGISTRY[name] for name in sorted(REGISTRY)]


def get_metric(
    name: str,
    dataset: str | None = None,
    shape: tuple[int, ...] | list[int] | None = None,
    task: str | None = None,
    conditional: bool | None = None,
) -> Metric:
    """The protocol called `name`; checks it applies to `dataset`, to samples of `shape` and to the run's kind
    (`task`: an image-to-image run's data.pairs.task, None for a GAN; `conditional`: whether the run's G takes
    class labels) when given."""
    try:
        metric = REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown metric {name!r}: use one of {', '.join(sorted(REGISTRY))}") from None
    if task is not None and task not in metric.tasks:
        fits = ", ".join(m.name for m in REGISTRY.values() if task in m.tasks) or "none yet"
        kind = f"{' or '.join(metric.tasks)} runs" if metric.tasks else "a GAN's samples"
        raise ConfigError(f"metric {name} measures {kind}, not this {task} run; use {fits}")
    if task is None and metric.tasks and (dataset is not None or shape is not None):
        raise ConfigError(
            f"metric {name} measures image-to-image runs ({', '.join(metric.tasks)}), not a GAN's samples"
        )
    if conditional is False and metric.conditional:
        raise ConfigError(
            f"metric {name} measures samples of chosen classes: it needs a conditional run (model.conditional=true)"
        )
    if dataset is not None and metric.datasets and dataset not in metric.datasets:
        raise ConfigError(f"metric {name} is defined for {', '.join(metric.datasets)}, not for {dataset!r}")
    if shape is not None and metric.shape is not None and tuple(shape) != metric.shape:
        raise ConfigError(
            f"metric {name} needs {shape_text(metric.shape)} samples but this run makes {shape_text(shape)}; "
            "train at the dataset's own size (drop data.size/data.channels) to use it"
        )
    if shape is not None and metric.images_only and len(shape) != 3:
        raise ConfigError(f"metric {name} measures images but this run makes {shape_text(shape)}")
    return metric


def parse_metric_list(spec: str | list[str]) -> list[str]:
    """'a,b' or ['a', 'b'] → ['a', 'b'], validated, duplicates dropped, order kept."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise ConfigError("no metric named: pass e.g. --metrics fd_lenet,confident_lenet")
    for name in names:
        get_metric(name)
    return list(dict.fromkeys(names))
