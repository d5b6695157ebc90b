"""Built-in app packages: the shared services Plein ships (publiccode.yml + plein.yaml each)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

BUILT_IN = ("verhuizing-doorgeven", "aangifte-overlijden", "uittreksel-brp")


def package_path(name: str) -> Path:
    """The folder of a built-in app package."""
    if name not in BUILT_IN:
        raise KeyError(f"no built-in app '{name}'")
    return Path(str(resources.files("plein.apps").joinpath(name)))
