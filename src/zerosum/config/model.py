"""The `model` section: one class per architecture family, chosen by `arch`.

Each family lists only the keys its models read, so `--set model.ngf=32` on an MLP run is an error that names the
family instead of a setting silently ignored. Two kinds of family exist: the GANs that map noise to samples
(`dcgan`, `mlp`), whose shared keys (the noise, conditioning, packing) live in `GanBase`, and the image-to-image
translators (`pix2pix`, `srgan`), which map an input image to an output image and keep their objective's weights
beside their layers (`TranslatorBase`). `ModelConfig` is the tagged union that a `RunConfig` holds; a config without
`arch` is a DCGAN, as it always was.

Configs written before the split held every family's keys in one flat section. Reading one drops the other
families' keys while they hold their defaults (they never did anything), so old run directories, checkpoints and
exports load as they are; a non-default value of another family's key is still refused.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Discriminator, Field, Tag, TypeAdapter, model_validator

from zerosum.config.section import Section


class ModelBase(Section):
    """What every architecture of G and D shares. D always returns logits."""

    arch: str = Field(description="the family; each subclass narrows it to its own name")
    bn_stats: Literal["running", "population"] = Field(
        "running",
        description="how a sampled G's BatchNorm normalises: the running averages training kept, or population "
        "statistics recomputed for the weights being sampled (an EMA copy of G needs them)",
    )

    @property
    def translates(self) -> bool:
        """Whether G maps images to images (an input image instead of noise)."""
        return False

    @property
    def needs_classes(self) -> bool:
        """Whether the models are built for the data's classes (a conditional G and D, a classifying D)."""
        return bool(getattr(self, "conditional", False))


class GanBase(ModelBase):
    """What the noise-to-sample families share."""

    nz: int = Field(100, ge=1)
    z_dist: Literal["normal", "uniform", "uniform_unit"] = Field(
        "normal", description="noise prior: N(0, 1), U(-1, 1), or U(-√3, √3) (unit variance, the GAN paper's code)"
    )
    conditional: bool = False
    embed_dim: int = Field(50, ge=1, description="label embedding size of conditional models")
    pack: int = Field(
        1, ge=1, description="PacGAN (Lin et al. 2018): D judges groups of this many samples, one logit per group"
    )
    g_output: Literal["auto", "sigmoid", "tanh", "linear"] = "auto"


class DCGANConfig(GanBase):
    """Radford et al. 2015: strided convolutions, BatchNorm, ReLU/tanh in G and LeakyReLU in D."""

    arch: Literal["dcgan"] = "dcgan"
    ngf: int = Field(64, ge=1)
    ndf: int = Field(64, ge=1)
    d_minibatch_std: bool = Field(
        False, description="DCGAN D sees the batch's feature spread (Karras et al. 2018), which counters collapse"
    )
    batch_norm: bool = Field(True, description="DCGAN G and D use BatchNorm; false is the paper's ablation without it")
    d_conditioning: Literal["concat", "projection", "none"] = Field(
        "concat",
        description="conditional DCGAN D: one-hot label maps on the input, a projection head (Miyato & Koyama "
        "2018), or none (ACGAN: D judges x alone and its auxiliary classifier names the class)",
    )
    g_conditioning: Literal["concat", "batchnorm"] = Field(
        "concat",
        description="conditional DCGAN G: a label embedding concatenated to z, or class-conditional BatchNorm "
        "(a gain and bias per class in every BatchNorm of G; z alone is the input)",
    )
    aux_weight: float = Field(
        0.0,
        ge=0,
        description="ACGAN (Odena et al. 2017): weight of an auxiliary classifier's cross-entropy on D's features, "
        "added to D's loss on real and generated images and to G's on its own; 0 = no auxiliary classifier",
    )

    @model_validator(mode="after")
    def _check_conditioning(self) -> DCGANConfig:
        changed = [k for k in ("g_conditioning", "d_conditioning") if getattr(self, k) != "concat"]
        if not self.conditional and (changed or self.aux_weight > 0):
            keys = ", ".join(f"model.{k}" for k in [*changed, *(["aux_weight"] if self.aux_weight > 0 else [])])
            raise ValueError(f"{keys}: settings of a conditional model; set model.conditional=true or drop them")
        if self.d_conditioning == "none" and self.aux_weight == 0:
            raise ValueError(
                "model.d_conditioning=none leaves D blind to the labels, so G would learn to ignore them; "
                "set model.aux_weight > 0 (ACGAN, 1.0 in its paper) or d_conditioning=concat/projection"
            )
        if self.g_conditioning == "batchnorm" and not self.batch_norm:
            raise ValueError("model.g_conditioning=batchnorm needs model.batch_norm=true (it conditions G's BatchNorm)")
        return self


class MLPConfig(GanBase):
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


class SemiSupervisedConfig(GanBase):
    """Salimans et al. 2016's semi-supervised GAN: D is a K-class classifier whose GAN logit is log Σ_k exp l_k
    (the (K+1)-th, "generated", class has its logit fixed at 0), trained on labelled, unlabelled and generated
    images; G learns by feature matching. The MLPs are the paper's MNIST models."""

    arch: Literal["ssgan"] = "ssgan"
    nz: int = Field(100, ge=1)
    z_dist: Literal["normal", "uniform", "uniform_unit"] = Field("uniform", description="noise prior (U(-1, 1))")
    g_hidden: list[int] = Field(default_factory=lambda: [500, 500], description="G: Linear → BatchNorm → softplus")
    d_hidden: list[int] = Field(
        default_factory=lambda: [1000, 500, 250, 250, 250], description="D: weight-normed Linear → ReLU → noise"
    )
    layout: Literal["mlp", "conv"] = Field(
        "mlp",
        description="the paper's MNIST MLPs, or its CIFAR-10 models: a conv D (d_widths, dropout) and a DCGAN G",
    )
    d_widths: list[int] = Field(
        default_factory=lambda: [96, 192, 192], min_length=3, max_length=3, description="conv D's three widths"
    )
    d_dropout: float = Field(0.5, ge=0, lt=1, description="conv D: dropout after each strided layer")
    input_dropout: float = Field(0.0, ge=0, lt=1, description="dropout on D's input (the paper's CIFAR D: 0.2)")
    ngf: int = Field(64, ge=1, description="conv layout: the DCGAN G's width")
    input_noise: float = Field(0.3, ge=0, description="std of the Gaussian noise added to D's input while training")
    hidden_noise: float = Field(0.5, ge=0, description="std of the Gaussian noise after each hidden layer of D")
    unsup_weight: float = Field(
        0.5, ge=0, description="weight of the unlabelled real-vs-generated term beside the labelled cross-entropy"
    )
    feature_matching: Literal["l1", "l2", "off"] = Field(
        "l2",
        description="G's objective: the distance between the batch means of D's last hidden features on real and "
        "generated images (l2 in the paper and its released MNIST code, l1 in its CIFAR-10 and SVHN code), or off: "
        "the usual GAN loss",
    )

    @model_validator(mode="after")
    def _unconditional(self) -> SemiSupervisedConfig:
        if self.conditional or self.pack != 1:
            raise ValueError("model.arch=ssgan has an unconditional G and an unpacked D: drop model.conditional/pack")
        return self

    @property
    def needs_classes(self) -> bool:
        return True


class TranslatorBase(ModelBase):
    """What the image-to-image families share: G maps an input image to an output image in tanh's range, D judges
    outputs (against the data's targets), and the objective adds a pixel loss to the adversarial one. There is no
    noise prior, no label conditioning and no packing."""

    ngf: int = Field(64, ge=1, description="G's base width")
    ndf: int = Field(64, ge=1, description="D's base width")
    adv_weight: float = Field(1.0, ge=0, description="weight of the adversarial term in G's objective; 0 = no D")
    pixel_loss: Literal["l1", "mse"] = "l1"
    pixel_weight: float = Field(100.0, ge=0, description="weight of the pixel loss in G's objective")

    @property
    def translates(self) -> bool:
        return True

    @property
    def conditional(self) -> bool:  # read by the noise families' code paths; a translator has no labels
        return False

    @property
    def pack(self) -> int:
        return 1


class Pix2PixConfig(TranslatorBase):
    """pix2pix (Isola et al. 2017): U-Net G with dropout as its noise, PatchGAN D on (input, output) pairs,
    cGAN + λ·L1 with λ = 100."""

    arch: Literal["pix2pix"] = "pix2pix"
    unet_depth: int | None = Field(
        None, ge=1, description="down-sampling steps of the U-Net; None = down to 1×1, as the paper's 256² model"
    )
    dropout: float = Field(0.5, ge=0, lt=1, description="dropout of the three innermost decoder layers")
    test_dropout: bool = Field(
        False, description="keep that dropout on when translating, the paper's only noise source at test time"
    )
    norm: Literal["batch", "instance"] = "batch"
    patch_layers: int = Field(
        2, ge=1, le=5, description="strided layers of the PatchGAN: receptive field 16, 34, 70, 142 px for 1-4"
    )
    condition_d: bool = Field(True, description="D sees the input beside the output (false: it judges outputs alone)")


class SRGANConfig(TranslatorBase):
    """SRGAN (Ledig et al. 2017): SRResNet G (residual blocks, ×2 PixelShuffle stages with ICNR init), VGG-style
    strided D; content loss + 1e-3 × adversarial; SRResNet is this family with adv_weight 0."""

    arch: Literal["srgan"] = "srgan"
    blocks: int = Field(16, ge=1, description="residual blocks of the SRResNet (the paper's 16)")
    adv_weight: float = Field(1e-3, ge=0, description="weight of the adversarial term; 0 = SRResNet, no D")
    pixel_loss: Literal["l1", "mse"] = "mse"
    pixel_weight: float = Field(1.0, ge=0, description="weight of the pixel (content) loss")
    feature_loss: Literal["none", "d", "lenet"] = Field(
        "none",
        description="a feature term of the content loss: MSE between D's conv features (any data) or the project's "
        "LeNet features (MNIST-like digits) of output and target; VGG-19 of the paper is not available offline",
    )
    feature_weight: float = Field(1.0, ge=0)
    pixel_steps: int = Field(
        0, ge=0, description="G trains on the content loss alone for this many steps before D joins (SRResNet init)"
    )
    bicubic_skip: bool = Field(
        False,
        description="G adds its output to the bicubic upscaling of its input, so it learns only the missing detail "
        "(VDSR's global residual, Kim et al. 2016; not in SRGAN)",
    )


FAMILIES: dict[str, type[ModelBase]] = {
    "dcgan": DCGANConfig,
    "mlp": MLPConfig,
    "pix2pix": Pix2PixConfig,
    "srgan": SRGANConfig,
    "ssgan": SemiSupervisedConfig,
}
TRANSLATORS = ("pix2pix", "srgan")
_FLAT_ERA = ("dcgan", "mlp")  # the families whose configs were once one flat section
DEFAULT_ARCH = "dcgan"


def _arch(value: Any) -> Any:
    """The tag that picks a family: `arch` of a mapping or a built section, DCGAN when absent."""
    if isinstance(value, dict):
        return value.get("arch", DEFAULT_ARCH)
    return getattr(value, "arch", DEFAULT_ARCH)


def _drop_flat_defaults(value: Any) -> Any:
    """Remove other families' keys that hold their defaults, as configs from before the split carry them (only the
    noise families existed then; a translator's config is read as it is)."""
    if not isinstance(value, dict) or _arch(value) not in _FLAT_ERA:
        return value
    own = FAMILIES[_arch(value)].model_fields
    kept = dict(value)
    for family in (FAMILIES[a] for a in _FLAT_ERA):
        for key, field in family.model_fields.items():
            if key in kept and key not in own and kept[key] == field.get_default(call_default_factory=True):
                del kept[key]
    return kept


ModelConfig = Annotated[
    Annotated[DCGANConfig, Tag("dcgan")]
    | Annotated[MLPConfig, Tag("mlp")]
    | Annotated[Pix2PixConfig, Tag("pix2pix")]
    | Annotated[SRGANConfig, Tag("srgan")]
    | Annotated[SemiSupervisedConfig, Tag("ssgan")],
    Discriminator(_arch),
    BeforeValidator(_drop_flat_defaults),
]
AnyModel = DCGANConfig | MLPConfig | Pix2PixConfig | SRGANConfig | SemiSupervisedConfig
_ADAPTER: TypeAdapter[AnyModel] = TypeAdapter(ModelConfig)


def parse_model(raw: Any) -> AnyModel:
    """A `model` section from a mapping (raises pydantic's ValidationError, as `model_validate` does)."""
    return _ADAPTER.validate_python(raw)


def family_keys(arch: str) -> list[str]:
    """The keys a `model` section of this family accepts, for error messages and docs."""
    return list(FAMILIES[arch].model_fields)
