"""What the text-to-video and image-to-video blocks share.

- Output schemas for what models return beside the video: media facts (Sora's VideoFile), `seed`
  (Seedance), and the union the unified blocks declare.
- The unified blocks' mapping: each model is one `UnifiedModel` row (its `model` value, the fal
  fields it takes each common setting in); the values each model accepts, its prompt limits and its
  image limits are read from the endpoint's `fal_spec` entry when the row is made, so the table
  states no fact of fal's. `map_settings` turns the common inputs into that model's arguments or
  refuses, naming the field, the model and the values it accepts. Nothing is rounded or substituted:
  a value is mapped only when it means the same thing.
- `UnifiedModelRouting`: the mixin (not a Block: the platform's loader wants every block at most two
  levels below `Block`) that routes a unified block's run to the chosen model.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Literal

import fal_spec
from blocks._sdk import SchemaField

from ._base import FalVideoOutput
from ._failures import InputProblem
from ._files import MediaRule
from ._spec_fields import Choices, field_facts, media_rules, one_of, served_endpoint

MODEL_DEFAULT = "model default"
"""The common settings' "leave it to the model" value: nothing is sent, fal's default applies."""


class AudioChoice(str, Enum):
    MODEL_DEFAULT = MODEL_DEFAULT
    ON = "on"
    OFF = "off"


def aspect_ratio_field(*, advanced: bool = False) -> Any:
    return SchemaField(
        default=MODEL_DEFAULT,
        description="Shape of the video; 'auto' follows the input image. A ratio the chosen model "
        "does not offer is an error, never a silent change.",
        advanced=advanced,
    )


def duration_field(longest: int, *, advanced: bool = False) -> Any:
    """Whole seconds, up to the longest clip any of the block's models makes."""
    return SchemaField(
        default=None,
        ge=1,
        le=longest,
        title="Duration (seconds)",
        description="Length of the video in whole seconds; empty for the model's default. A length the "
        "chosen model does not offer is an error, never rounded.",
        placeholder="model default",
        advanced=advanced,
    )


def resolution_field(*, advanced: bool = False) -> Any:
    return SchemaField(
        default=MODEL_DEFAULT,
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

Reading = Literal["choice", "seconds", "any", "audio", "fixed"]


@dataclass(frozen=True)
class FromEntry:
    """A setting whose values are read from the model's entry when its row is made."""

    reading: Reading
    field: str | None = None
    note: str = ""

    def resolve(self, setting: str, endpoint: str) -> Setting:
        spec = fal_spec.entry(endpoint)
        if self.reading == "fixed" or (self.reading == "audio" and self.field not in spec.fields):
            return _fixed(setting, spec, self.note)
        assert self.field is not None
        facts = field_facts(endpoint, self.field)  # an error naming the endpoint if fal has no such field
        if self.reading == "any":
            return Setting(self.field, None, self.note)
        if self.reading == "audio":
            return Setting(self.field, {"on": True, "off": False}, self.note)
        values = facts.values or ()
        if self.reading == "seconds":  # a value that is no length ("auto") is the model's default
            lengths = {_whole_seconds(value): value for value in values if _is_length(value)}
            return Setting(self.field, lengths, self.note)
        return Setting(self.field, {_common(value): value for value in values}, self.note)


def choice(field_name: str, *, note: str = "") -> FromEntry:
    """An enum argument; common values match the model's spelling case-insensitively (768p = 768P)."""
    return FromEntry("choice", field_name, note)


def seconds(field_name: str, *, note: str = "") -> FromEntry:
    """A duration argument spelled "5", "5s" or 5: the common value is whole seconds."""
    return FromEntry("seconds", field_name, note)


ANY_SEED = FromEntry("any", "seed")
AUDIO = FromEntry("audio", "generate_audio")
"""`generate_audio` where the model has it; else the sound its clips always have (`FIXED`)."""
FIXED = FromEntry("fixed")
"""No argument: the model always renders its entry's clip facts (Hailuo 02 Pro's 6 s at 1080p)."""
CLIP_SHAPE: dict[str, Setting | FromEntry] = {
    "aspect_ratio": choice("aspect_ratio"),
    "duration": seconds("duration"),
    "resolution": choice("resolution"),
}
"""The clip-shape settings of a model whose fal fields are named like the common ones."""


def always(*values: Any, note: str = "") -> Setting:
    """No argument, and a value of the block's own the model always honours (e.g. "auto" framing)."""
    return Setting(None, {value: None for value in values}, note)


def _fixed(setting: str, spec: fal_spec.EndpointSpec, note: str) -> Setting:
    if setting == "generate_audio":
        audio = spec.clip_defaults().audio
        return always("on" if audio else "off", note=note or _AUDIO_NOTES[audio])
    known = {"duration": "duration", "resolution": "resolution", "aspect_ratio": "aspect_ratio"}
    fact = spec.clip.get(known.get(setting, ""))
    if fact is None:
        raise ValueError(f"{spec.endpoint_id}: no clip fact for {setting}, so it cannot be fixed")
    value = int(fact) if setting == "duration" else _common(fact)
    return always(value, note=note)


_AUDIO_NOTES = {True: "the model always adds sound", False: "the model makes silent video"}


def _is_length(value: Any) -> bool:
    return re.match(r"\d+", str(value)) is not None


def _whole_seconds(value: Any) -> int:
    match = re.match(r"\d+", str(value))
    if match is None:
        raise ValueError(f"{value!r} is not a duration in seconds")
    return int(match[0])


def _raw(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _common(value: Any) -> Any:
    raw = _raw(value)
    return raw.lower() if isinstance(raw, str) else raw


SETTINGS = ("aspect_ratio", "duration", "resolution", "seed", "generate_audio")
"""The common settings, in the order they are checked."""


@dataclass(frozen=True)
class UnifiedModel:
    """One row of a unified block's table: a model, the endpoint it names, how it takes each setting.

    `endpoint` is the `model` input's value; the request goes to `served` (the same endpoint, or a
    delisted one's successor). `left_out` names fal fields of `served` that neither this row nor a
    block of the model's own offers, with the reason."""

    label: str
    endpoint: str
    declared: Mapping[str, Setting | FromEntry]
    image_field: str | None = None
    end_image_field: str | None = None
    left_out: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settings  # noqa: B018 - read the entry now: a row fal's schema cannot serve fails at import

    @property
    def name(self) -> str:
        return f"{self.label} (`{self.endpoint}`)"

    @property
    def listing_note(self) -> str:
        """ "" for a model fal lists today; else what its entry says (fal may retire it)."""
        listing = fal_spec.entry(self.endpoint).listing
        status = listing.get("status", "listed")
        if status == "delisted":
            return f"delisted by fal; served by its successor `{listing.get('successor')}`"
        if status == "unlisted":
            return "no longer listed by fal (it may retire it)"
        return ""

    @functools.cached_property
    def served(self) -> str:
        return served_endpoint(self.endpoint)

    @functools.cached_property
    def settings(self) -> dict[str, Setting]:
        return {
            name: rule.resolve(name, self.served) if isinstance(rule, FromEntry) else rule
            for name, rule in self.declared.items()
        }

    @property
    def min_prompt_chars(self) -> int | None:
        return field_facts(self.served, "prompt").schema.get("minLength")

    @property
    def max_prompt_chars(self) -> int | None:
        return field_facts(self.served, "prompt").schema.get("maxLength")

    @property
    def image_rule(self) -> MediaRule | None:
        return media_rules(self.served).get(self.image_field or "")

    @property
    def end_image_rule(self) -> MediaRule | None:
        return media_rules(self.served).get(self.end_image_field or "")


def by_endpoint(*models: UnifiedModel) -> dict[str, UnifiedModel]:
    """A unified block's table, keyed by the `model` input's value."""
    return {model.endpoint: model for model in models}


def common_values(models: Iterable[UnifiedModel], setting: str) -> list[Any]:
    """Every value of a common setting that some model honours, in the table's order: the choices
    a unified block offers."""
    found: dict[Any, None] = {}
    for model in models:
        for value in model.settings.get(setting, NOT_OFFERED).values or {}:
            found.setdefault(value)
    return list(found)


def model_description(what: str, models: Mapping[str, UnifiedModel]) -> str:
    """The `model` input's description: what it does, and which choices fal no longer lists."""
    gone = [model for model in models.values() if model.listing_note]
    if not gone:
        return what
    notes = "; ".join(f"{model.label}: {model.listing_note}" for model in gone)
    return f"{what} Not on fal's current list: {notes}."


def common_choice(models: Mapping[str, UnifiedModel], setting: str, whose: str) -> Choices:
    """A unified block's choice for a common setting: the model's default, then every model's values."""
    return one_of([MODEL_DEFAULT, *common_values(models.values(), setting)], whose)


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
    """Model table keyed by the `model` input's value."""
    block_only_fields: ClassVar[frozenset[str]] = frozenset({"model", "image", "end_image", *SETTINGS})

    def model_for(self, input_data: Any) -> UnifiedModel:
        return self.models[_raw(input_data.model)]

    def endpoint_for(self, input_data: Any) -> str:
        return self.model_for(input_data).served

    def doc_endpoints(self) -> list[str]:
        return list(dict.fromkeys(model.served for model in self.models.values()))

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
        length = len(input_data.prompt)
        shortest, longest = model.min_prompt_chars, model.max_prompt_chars
        if shortest is not None and length < shortest:
            raise InputProblem("prompt", f"{model.name} takes at least {shortest} characters; got {length}")
        if longest is not None and length > longest:
            raise InputProblem("prompt", f"{model.name} takes at most {longest} characters; got {length}")
        self.fal_arguments(input_data)  # refuses settings the model cannot honour

    def media_rules(self, input_data: Any) -> dict[str, MediaRule]:
        """Each image input's limit is the chosen model's for the field it goes to."""
        model = self.model_for(input_data)
        rules = {model.image_field: model.image_rule, model.end_image_field: model.end_image_rule}
        return {field: rule for field, rule in rules.items() if field is not None and rule is not None}

    def media_labels(self, input_data: Any) -> dict[str, str]:
        model = self.model_for(input_data)
        return {model.image_field or "": "image", model.end_image_field or "": "end_image"}
