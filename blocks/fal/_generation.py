"""What the text-to-video and image-to-video blocks share.

- Output schemas for what models return beside the video: media facts (Sora's VideoFile), `seed`
  (Seedance), and the union the unified blocks declare.
- The unified blocks' mapping: each model is one `UnifiedModel` row (endpoint, fal field names,
  which values of each common setting it accepts and how it spells them); `map_settings` turns the
  common inputs into that model's arguments or refuses, naming the field, the model and the values it
  accepts. Nothing is rounded or substituted: a value is mapped only when it means the same thing.
- `UnifiedModelRouting`: the mixin (not a Block: the platform's loader wants every block at most two
  levels below `Block`) that routes a unified block's run to the chosen model.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar

from blocks._sdk import SchemaField

from ._base import FalVideoOutput
from ._failures import InputProblem
from ._files import MB, MediaRule

DEFAULT_IMAGE_RULE = MediaRule("image", max_bytes=10 * MB)
"""An input image where fal documents no limit: 10 MB (this project's limit, not fal's)."""

MODEL_DEFAULT = "model default"
"""The common settings' "leave it to the model" value: nothing is sent, fal's default applies."""


class AspectRatioChoice(str, Enum):
    """The unified blocks' aspect ratios: every ratio one of their models takes."""

    MODEL_DEFAULT = MODEL_DEFAULT
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    SQUARE = "1:1"
    CLASSIC = "4:3"
    CLASSIC_PORTRAIT = "3:4"
    CINEMA = "21:9"
    CINEMA_PORTRAIT = "9:21"
    AUTO = "auto"


class AudioChoice(str, Enum):
    MODEL_DEFAULT = MODEL_DEFAULT
    ON = "on"
    OFF = "off"


def prompt_field(placeholder: str, *, max_length: int | None = None, description: str = "") -> Any:
    """The required `prompt` input every generation model has."""
    return SchemaField(
        description=description or "What the video should show.",
        placeholder=placeholder,
        min_length=1,
        max_length=max_length,
    )


def aspect_ratio_field(*, advanced: bool = False) -> Any:
    return SchemaField(
        default=AspectRatioChoice.MODEL_DEFAULT,
        description="Shape of the video; 'auto' follows the input image. A ratio the chosen model "
        "does not offer is an error, never a silent change.",
        advanced=advanced,
    )


def duration_field(*, advanced: bool = False) -> Any:
    return SchemaField(
        default=None,
        ge=1,
        le=20,
        title="Duration (seconds)",
        description="Length of the video in whole seconds; empty for the model's default. A length the "
        "chosen model does not offer is an error, never rounded.",
        placeholder="model default",
        advanced=advanced,
    )


def resolution_field(default: Enum, *, advanced: bool = False) -> Any:
    return SchemaField(
        default=default,
        description="Resolution of the video (by its short side). A resolution the chosen model does "
        "not offer is an error, never a silent change.",
        advanced=advanced,
    )


def audio_field(*, advanced: bool = False) -> Any:
    return SchemaField(
        default=AudioChoice.MODEL_DEFAULT,
        title="Generate audio",
        description="'on' or 'off' where the model has the choice; a model that is always silent (or "
        "always has sound) refuses the other value.",
        advanced=advanced,
    )


def seed_field() -> Any:
    return SchemaField(
        default=None,
        ge=0,
        le=2_147_483_647,
        description="Seed for repeatable results, on models that take one; empty for a random seed.",
        placeholder="random",
    )


# ---- outputs beside the video ----------------------------------------------------------------


class MediaFactsOutput(FalVideoOutput):
    """The facts a model's VideoFile carries (Sora); each is yielded only when the result has it."""

    width: int | None = SchemaField(default=None, description="Width of the video in pixels.")
    height: int | None = SchemaField(default=None, description="Height of the video in pixels.")
    fps: float | None = SchemaField(default=None, description="Frames per second of the video.")
    duration: float | None = SchemaField(default=None, description="Length of the video in seconds.")
    num_frames: int | None = SchemaField(default=None, description="Number of frames in the video.")


class SeedVideoOutput(FalVideoOutput):
    """Seedance also reports the seed it used."""

    seed: int | None = SchemaField(
        default=None, description="The seed the model used; send it back to repeat the video."
    )


class UnifiedVideoOutput(MediaFactsOutput):
    """Everything any of the unified blocks' models can return beside the video."""

    seed: int | None = SchemaField(
        default=None, description="The seed the model used (models that report one)."
    )
    video_id: str | None = SchemaField(
        default=None, description="Sora's id for the video (for Sora's remix endpoint)."
    )


# ---- the unified blocks' mapping ---------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """How one model takes one common setting.

    `field` is the fal argument (None: the model has no such argument). `values` maps each common
    value the model honours to its own spelling (for a model without the argument: the values it
    always renders, sent as nothing); `values=None` passes any value through (a seed).
    """

    field: str | None = None
    values: Mapping[Any, Any] | None = dataclasses.field(default_factory=dict)
    note: str = ""


NOT_OFFERED = Setting()


def choice(field_name: str, values: Iterable[Any], *, note: str = "") -> Setting:
    """An enum argument; common values match the model's spelling case-insensitively (768p = 768P)."""
    return Setting(field_name, {_common(value): _raw(value) for value in values}, note)


def seconds(field_name: str, values: Iterable[Any], *, note: str = "") -> Setting:
    """A duration argument spelled "5", "5s" or 5: the common value is whole seconds."""
    return Setting(field_name, {int(re.match(r"\d+", str(_raw(v)))[0]): _raw(v) for v in values}, note)  # type: ignore[index]


def always(*values: Any, note: str = "") -> Setting:
    """No argument, but the model always renders these values (e.g. Sora's audio, Hailuo Pro's 6 s)."""
    return Setting(None, {value: None for value in values}, note)


ANY_SEED = Setting("seed", None)
AUDIO_FLAG = Setting("generate_audio", {"on": True, "off": False})
SILENT = always("off", note="the model makes silent video")
WITH_AUDIO = always("on", note="the model always adds sound")


def _raw(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _common(value: Any) -> Any:
    raw = _raw(value)
    return raw.lower() if isinstance(raw, str) else raw


SETTINGS = ("aspect_ratio", "duration", "resolution", "seed", "generate_audio")
"""The common settings, in the order they are checked."""


@dataclass(frozen=True)
class UnifiedModel:
    """One row of a unified block's table: a model, its endpoint and how it takes each setting."""

    label: str
    endpoint: str
    settings: Mapping[str, Setting]
    max_prompt_chars: int | None = None
    image_field: str | None = None
    end_image_field: str | None = None
    image_rule: MediaRule = DEFAULT_IMAGE_RULE

    @property
    def name(self) -> str:
        return f"{self.label} (`{self.endpoint}`)"


def by_endpoint(*models: UnifiedModel) -> dict[str, UnifiedModel]:
    """A unified block's table, keyed by endpoint id (the value of its `model` input)."""
    return {model.endpoint: model for model in models}


def _show(setting: str, value: Any) -> str:
    if setting == "duration":
        return f"{value} s"
    return str(value)


def _listing(setting: str, values: Iterable[Any]) -> str:
    shown = [_show(setting, value) for value in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"


def map_settings(model: UnifiedModel, chosen: Mapping[str, Any]) -> dict[str, Any]:
    """The model's arguments for the common settings chosen; `InputProblem` for one it cannot honour."""
    arguments: dict[str, Any] = {}
    for name in SETTINGS:
        value = _raw(chosen.get(name))
        if value is None or value == MODEL_DEFAULT:
            continue
        setting = model.settings.get(name, NOT_OFFERED)
        note = f" ({setting.note})" if setting.note else ""
        if setting.values is None:
            arguments[setting.field or name] = value
            continue
        key = _common(value)
        if key in setting.values:
            if setting.field is not None:
                arguments[setting.field] = setting.values[key]
            continue
        got = _show(name, value)
        if setting.field is not None:
            accepted = _listing(name, setting.values)
            message = f"{model.name} accepts {accepted}{note}; got {got}"
        elif setting.values:
            accepted = _listing(name, setting.values)
            message = f"{model.name} has no {name} setting; it is always {accepted}{note}; got {got}"
        else:
            message = f"{model.name} has no {name} setting{note}; leave {name} unset (got {got})"
        raise InputProblem(name, message)
    return arguments


class UnifiedModelRouting:
    """Mixin for a block offering several models behind common inputs, routed by its `model` input.

    List it before `FalBlockBase`: `class AIVideoGeneratorBlock(UnifiedModelRouting, FalBlockBase)`."""

    models: ClassVar[Mapping[str, UnifiedModel]]
    """Model table keyed by the `model` input's value (the endpoint id)."""
    block_only_fields: ClassVar[frozenset[str]] = frozenset({"model", "image", "end_image", *SETTINGS})

    def model_for(self, input_data: Any) -> UnifiedModel:
        return self.models[_raw(input_data.model)]

    def endpoint_for(self, input_data: Any) -> str:
        return self.model_for(input_data).endpoint

    def doc_endpoints(self) -> list[str]:
        return [model.endpoint for model in self.models.values()]

    def fal_arguments(self, input_data: Any) -> dict[str, Any]:
        model = self.model_for(input_data)
        arguments: dict[str, Any] = {"prompt": input_data.prompt}
        for common, fal_name in (("image", model.image_field), ("end_image", model.end_image_field)):
            value = getattr(input_data, common, None)
            if value is None:
                continue
            if fal_name is None:
                raise InputProblem(common, f"{model.name} takes no {common.replace('_', ' ')} input")
            arguments[fal_name] = str(value)
        chosen = {name: getattr(input_data, name, None) for name in SETTINGS}
        return {**arguments, **map_settings(model, chosen)}

    def check_input(self, input_data: Any) -> None:
        model = self.model_for(input_data)
        limit = model.max_prompt_chars
        if limit is not None and len(input_data.prompt) > limit:
            raise InputProblem(
                "prompt", f"{model.name} takes at most {limit} characters; got {len(input_data.prompt)}"
            )
        self.fal_arguments(input_data)  # refuses settings the model cannot honour

    def media_rules(self, input_data: Any) -> dict[str, MediaRule]:
        """The chosen model's image limit applies to both image inputs."""
        model = self.model_for(input_data)
        fields = (model.image_field, model.end_image_field)
        return {field: model.image_rule for field in fields if field is not None}

    def media_labels(self, input_data: Any) -> dict[str, str]:
        model = self.model_for(input_data)
        return {model.image_field or "": "image", model.end_image_field or "": "end_image"}


_SNIFF_BYTES = 4096
