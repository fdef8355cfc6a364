"""The `model` section: one class per architecture family, chosen by `arch`.

Each family lists only the keys its models read, so `--set model.ngf=32` on an MLP run is an error that names the
family instead of a setting silently ignored. What every family shares (the noise, conditioning, packing and how a
sampled G's BatchNorm normalises) lives in `ModelBase`. `ModelConfig` is the tagged union that a `RunConfig` holds;
a config without `arch` is a DCGAN, as it always was.

Configs written before the split held every family's keys in one flat section. Reading one drops the other
families' keys while they hold their defaults (they never did anything), so old run directories, checkpoints and
exports load as they are; a non-default value of another family's key is still refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, TypeAdapter

from zerosum.config.section import Section


class ModelBase(Section):
    """What every architecture of G and D shares. D always returns logits."""

    arch: str = Field(description="the family; each subclass narrows it to its own name")
    nz: int = Field(100, ge=1)
    z_dist: Literal["normal", "uniform", "uniform_unit"] = Field(
        "normal", description="noise prior: N(0, 1), U(-1, 1), or U(-√3, √3) (unit variance, the GAN paper's code)"
    )
    conditional: bool = False
    embed_dim: int = Field(50, ge=1, description="label embedding size of conditional models")
    pack: int = Field(
        1, ge=1, description="PacGAN (Lin et al. 2018): D judges groups of this many samples, one logit per group"
    )
    bn_stats: Literal["running", "population"] = Field(
        "running",
        description="how a sampled G's BatchNorm normalises: the running averages training kept, or population "
        "statistics recomputed for the weights being sampled (an EMA copy of G needs them)",
    )
    g_output: Literal["auto", "sigmoid", "tanh", "linear"] = "auto"


class DCGANConfig(ModelBase):
    """Radford et al. 2015: strided convolutions, BatchNorm, ReLU/tanh in G and LeakyReLU in D."""

    arch: Literal["dcgan"] = "dcgan"
    ngf: int = Field(64, ge=1)
    ndf: int = Field(64, ge=1)
    d_minibatch_std: bool = Field(
        False, description="DCGAN D sees the batch's feature spread (Karras et al. 2018), which counters collapse"
    )
    batch_norm: bool = Field(True, description="DCGAN G and D use BatchNorm; false is the paper's ablation without it")
    d_conditioning: Literal["concat", "projection"] = Field(
        "concat", description="conditional DCGAN D: one-hot label maps on the input, or a projection head"
    )


class MLPConfig(ModelBase):
    """The GAN paper's MNIST model (ReLU G, maxout D with dropout), also PacGAN's 2-D models."""

    arch: Literal["mlp"] = "mlp"
    g_hidden: list[int] = Field(default_factory=lambda: [1200, 1200])
    d_hidden: list[int] = Field(default_factory=lambda: [240, 240])
    maxout_pieces: int = Field(5, ge=1)
    d_drop_input: float = Field(0.2, ge=0.0, lt=1.0)
    d_drop_hidden: float = Field(0.5, ge=0.0, lt=1.0)
    g_init_range: float = Field(0.05, gt=0, description="MLP G weights start U(-r, r) (the paper's pylearn2 irange)")
    d_init_range: float = Field(0.005, gt=0, description="MLP D weights start U(-r, r)")
    mlp_init: Literal["uniform", "normal"] = Field(
        "uniform", description="MLP weights U(-range, range) as above, or N(0, mlp_init_std²) (PacGAN's models)"
    )
    mlp_init_std: float = Field(0.02, gt=0, description="std of the MLP weights when mlp_init is normal")
    g_batch_norm: bool = Field(
        False, description="MLP G hidden layers are Linear without bias → BatchNorm → ReLU (PacGAN's 2-D generator)"
    )


FAMILIES: dict[str, type[ModelBase]] = {"dcgan": DCGANConfig, "mlp": MLPConfig}
DEFAULT_ARCH = "dcgan"


def _arch(value: Any) -> Any:
    """The tag that picks a family: `arch` of a mapping or a built section, DCGAN when absent."""
    if isinstance(value, dict):
        return value.get("arch", DEFAULT_ARCH)
    return getattr(value, "arch", DEFAULT_ARCH)


def _drop_flat_defaults(value: Any) -> Any:
    """Remove other families' keys that hold their defaults, as configs from before the split carry them."""
    if not isinstance(value, dict) or FAMILIES.get(_arch(value)) is None:
        return value
    own = FAMILIES[_arch(value)].model_fields
    kept = dict(value)
    for family in FAMILIES.values():
        for key, field in family.model_fields.items():
            if key in kept and key not in own and kept[key] == field.get_default(call_default_factory=True):
                del kept[key]
    return kept


ModelConfig = Annotated[
    Annotated[DCGANConfig, Tag("dcgan")] | Annotated[MLPConfig, Tag("mlp")],
    Discriminator(_arch),
    BeforeValidator(_drop_flat_defaults),
]
_ADAPTER: TypeAdapter[DCGANConfig | MLPConfig] = TypeAdapter(ModelConfig)


def parse_model(raw: Any) -> DCGANConfig | MLPConfig:
    """A `model` section from a mapping (raises pydantic's ValidationError, as `model_validate` does)."""
    return _ADAPTER.validate_python(raw)


def family_keys(arch: str) -> list[str]:
    """The keys a `model` section of this family accepts, for error messages and docs."""
    return list(FAMILIES[arch].model_fields)
