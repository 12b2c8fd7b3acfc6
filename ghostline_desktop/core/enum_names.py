"""Look an enum member up by the name the services expose ("READY", "high", "Resolved")."""

from __future__ import annotations

import enum
from typing import TypeVar

E = TypeVar("E", bound=enum.Enum)


def member_by_name(enum_cls: type[E], value: str | E | None) -> E | None:
    """The member whose name (or value) matches ``value`` case-insensitively, else None.

    Names are what services return and what the UI sends back; values are accepted too,
    because the labels a person types ("Resolved", "high") are the values.
    """
    if value is None:
        return None
    if isinstance(value, enum_cls):
        return value
    if not isinstance(value, str):
        return None
    key = value.strip().upper().replace("-", "_").replace(" ", "_")
    for member in enum_cls:
        if key == member.name or (isinstance(member.value, str) and key == member.value.upper().replace(" ", "_")):
            return member
    return None
