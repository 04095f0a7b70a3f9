"""The fal key in the environment, checked before anything is sent: a half-set or malformed key is
a clear error at once, never a silent switch to the sandbox nor a request fal will refuse."""

from __future__ import annotations

import os
from collections.abc import Mapping

from credentials import key_problem

from .errors import BadInput

KEY_VARIABLES = ("FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET")


class FalKeyProblem(BadInput):
    """The environment's fal key cannot be used; the message names the variable, never the value."""


def key_is_set(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the environment means to use real fal: any of the key variables is present."""
    env = os.environ if environ is None else environ
    return any(name in env for name in KEY_VARIABLES)


def fal_key_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """What is wrong with the key variables, read as fal-client reads them (FAL_KEY first, else
    FAL_KEY_ID and FAL_KEY_SECRET as `id:secret`), or None when there is nothing wrong."""
    env = os.environ if environ is None else environ
    key_id, key_secret = env.get("FAL_KEY_ID"), env.get("FAL_KEY_SECRET")
    pair_complete = bool((key_id or "").strip() and (key_secret or "").strip())
    if "FAL_KEY" in env and (env["FAL_KEY"].strip() or not pair_complete):
        if not env["FAL_KEY"].strip():
            return "FAL_KEY is set but blank; set it to your fal key, or unset it to use the sandbox"
        return _named("FAL_KEY", key_problem(env["FAL_KEY"].strip()))
    if key_id is None and key_secret is None:
        return None
    for name, value, other in (
        ("FAL_KEY_ID", key_id, "FAL_KEY_SECRET"),
        ("FAL_KEY_SECRET", key_secret, "FAL_KEY_ID"),
    ):
        if value is None:
            return f"{other} is set but {name} is not; fal needs both (or FAL_KEY)"
        if not value.strip():
            return f"{name} is set but blank; fal needs both FAL_KEY_ID and FAL_KEY_SECRET (or FAL_KEY)"
        if (problem := _named(name, key_problem(value.strip()))) is not None:
            return problem
    return None


def check_fal_key(environ: Mapping[str, str] | None = None) -> None:
    """Raise `FalKeyProblem` when the key variables are set but unusable."""
    problem = fal_key_problem(environ)
    if problem is not None:
        raise FalKeyProblem(problem)


def _named(variable: str, problem: str | None) -> str | None:
    if problem is None:
        return None
    return f"{variable}: {problem.replace('the fal API key', 'the key')}"
