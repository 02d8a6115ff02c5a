"""Environment variables, read with django-environ.

`env` is django-environ's typed reader. The env_* helpers are the short names
every settings module (and every block at the end of base.py) uses; an empty
variable counts as unset, so `WEIKE_X=` in a unit file means "the default".
"""

import os

import environ

env = environ.Env()


def _given(name: str) -> bool:
    return os.environ.get(name, "").strip() != ""


def env_str(name: str, default: str = "") -> str:
    return env.str(name, default=default)


def env_bool(name: str, default: bool = False) -> bool:
    return env.bool(name) if _given(name) else default


def env_int(name: str, default: int) -> int:
    return env.int(name) if _given(name) else default


def env_list(name: str, default: list[str]) -> list[str]:
    if name not in os.environ:
        return default
    return [item.strip() for item in env.list(name) if item.strip()]
