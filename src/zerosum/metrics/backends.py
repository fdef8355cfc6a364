"""Where a fixed feature network runs: eager torch, or a compiled CPU graph (OpenVINO, ONNX Runtime).

Why: on a CPU the eager TorchScript Inception runs far below the cores' fp32 peak, and FID of 10k samples takes the
better part of an hour. OpenVINO's compiled graph of the same network gives the same features (max difference
~1e-5 of the largest) several times faster: `benchmarks/features_speed.py` measures every backend, and its numbers
fix the order "auto" tries. "auto" falls back to eager torch when a package is missing or a conversion fails, so
no metric depends on an optional package; the backend that ran is named in each evaluation record.

Compiled graphs are cached per process (network, backend, device, thread count); converting Inception takes ~2 s,
too little against minutes of features to be worth a disk cache.
"""

from __future__ import annotations

import copy
import importlib
import io
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from zerosum.errors import ConfigError, DataError

log = logging.getLogger("zerosum.metrics")

BACKENDS = ("auto", "torch", "openvino", "onnxruntime")
# "auto" on a CPU: the first installed of these (fastest first, as measured by benchmarks/features_speed.py)
CPU_ORDER = ("openvino", "onnxruntime")
PIP = {"openvino": "pip install openvino", "onnxruntime": "pip install onnxruntime onnx"}

Runner = Callable[[Tensor], Tensor]  # float32 batch on the device → float32 output on the CPU or the device


@dataclass(frozen=True)
class Compiled:
    """A network ready to run: `backend` is the name that ran it (what an evaluation record reports)."""

    backend: str
    run: Runner


_installed: dict[str, bool] = {}
_compiled: dict[tuple[str, str, str, int], Compiled] = {}
_failed: set[tuple[str, str]] = set()


def installed(backend: str) -> bool:
    """Whether the backend's package imports (checked once per process; a broken install counts as missing)."""
    if backend == "torch":
        return True
    if backend not in _installed:
        try:
            importlib.import_module(backend)  # each backend is named after its package
            _installed[backend] = True
        except Exception:  # ImportError, or a binary that does not load on this machine
            _installed[backend] = False
    return _installed[backend]


def resolve_backend(backend: str, device: str | torch.device = "cpu", order: tuple[str, ...] = CPU_ORDER) -> str:
    """The backend that will run on `device`: "auto" → the first of `order` installed on a CPU (eager torch when
    none is, and on other devices); a network whose conversion costs more than it saves passes a shorter order.

    A named backend that cannot run there is a ConfigError saying how to install it or what to ask for instead.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"unknown feature backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    dev = torch.device(device)
    if backend == "auto":
        if dev.type != "cpu":
            return "torch"
        return next((b for b in order if installed(b)), "torch")
    if backend != "torch":
        if dev.type != "cpu":
            raise ConfigError(f"the {backend} backend runs on the CPU only; use backend 'torch' or 'auto' on {dev}")
        if not installed(backend):
            raise ConfigError(f"the {backend} backend is not installed: {PIP[backend]} (or use backend 'auto')")
    return backend


def _openvino(module: nn.Module, example: Tensor) -> Runner:
    import openvino as ov

    with warnings.catch_warnings():  # it traces a plain module with torch.jit.trace, which torch deprecates
        warnings.simplefilter("ignore")
        graph = ov.convert_model(module, example_input=example)
    # f32 throughout: on CPUs with bf16 OpenVINO would otherwise compute in bf16 and change the features.
    config = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY",
              "INFERENCE_NUM_THREADS": torch.get_num_threads()}  # fmt: skip
    request = ov.Core().compile_model(graph, "CPU", config).create_infer_request()

    def run(x: Tensor) -> Tensor:
        out = request.infer({0: x.detach().cpu().contiguous().numpy()})
        return torch.from_numpy(next(iter(out.values())).copy())  # the request reuses its output buffer

    return run


def _onnxruntime(module: nn.Module, example: Tensor) -> Runner:
    import onnxruntime as ort

    buffer = io.BytesIO()
    with warnings.catch_warnings():  # the TorchScript exporter is deprecated; TorchScript is what Inception is
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (example,), buffer, dynamo=False, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=17)  # fmt: skip
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    session = ort.InferenceSession(buffer.getvalue(), options, providers=["CPUExecutionProvider"])

    def run(x: Tensor) -> Tensor:
        return torch.from_numpy(session.run(None, {"x": x.detach().cpu().contiguous().numpy()})[0])

    return run


_BUILDERS: dict[str, Callable[[nn.Module, Tensor], Runner]] = {"openvino": _openvino, "onnxruntime": _onnxruntime}


def compile_network(
    name: str,
    load: Callable[[], nn.Module],
    example: Tensor,
    backend: str = "auto",
    device: str | torch.device = "cpu",
    fresh: Callable[[], nn.Module] | None = None,
    order: tuple[str, ...] = CPU_ORDER,
) -> Compiled:
    """`load()`'s eager network (eval mode, one tensor in, one out) on `backend`, compiled once per process.

    `name` identifies the network in the cache; `example` is an input of the right shape (any batch size: the
    compiled graphs take any). Converters may rewrite the module they are given, so each gets its own from
    `fresh` (default: a deep copy of `load()`; a TorchScript module needs a fresh load, since its copies share
    their compiled graphs). `order` is what "auto" tries (see `resolve_backend`). Under "auto" a failed
    conversion logs one warning and runs eager torch.
    """
    if backend == "auto":  # a backend that failed on this network is not tried again in this process
        order = tuple(b for b in order if (name, b) not in _failed)
    chosen = resolve_backend(backend, device, order)
    key = (name, chosen, str(torch.device(device)), torch.get_num_threads())
    if key in _compiled:
        return _compiled[key]
    if chosen == "torch":
        if backend == "auto" and order and torch.device(device).type == "cpu":  # none of `order` is installed
            log.info("%s runs on eager torch; it runs faster compiled: %s", name, PIP[order[0]])
        model = load()
        compiled = Compiled("torch", lambda x: model(x))
    else:
        try:
            with torch.inference_mode(False), torch.no_grad():
                module = fresh() if fresh is not None else copy.deepcopy(load())
                compiled = Compiled(chosen, _BUILDERS[chosen](module.eval(), example.cpu()))
        except Exception as err:  # a converter's error: say which, and keep the metric computable
            if backend != "auto":
                raise DataError(
                    f"cannot compile {name} with {chosen} ({_first_line(err)}); use backend 'torch' or 'auto'"
                ) from err
            _failed.add((name, chosen))
            fallback = compile_network(name, load, example, "auto", device, fresh, order)
            log.warning("%s: %s could not compile it (%s); running %s", name, chosen, _first_line(err),
                        "eager torch" if fallback.backend == "torch" else fallback.backend)  # fmt: skip
            return fallback
    _compiled[key] = compiled
    return compiled


def _first_line(err: BaseException) -> str:
    """The first line of an exception's message: converters print pages."""
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
