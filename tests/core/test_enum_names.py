import enum

from ghostline_desktop.core.enum_names import member_by_name


class Colour(enum.Enum):
    LIGHT_BLUE = "Light blue"
    RED = "red"


def test_by_name_value_and_member() -> None:
    assert member_by_name(Colour, "LIGHT_BLUE") is Colour.LIGHT_BLUE
    assert member_by_name(Colour, "light_blue") is Colour.LIGHT_BLUE
    assert member_by_name(Colour, "Light blue") is Colour.LIGHT_BLUE
    assert member_by_name(Colour, " red ") is Colour.RED
    assert member_by_name(Colour, Colour.RED) is Colour.RED


def test_unknown_is_none() -> None:
    assert member_by_name(Colour, "green") is None
    assert member_by_name(Colour, None) is None
    assert member_by_name(Colour, "") is None
    assert member_by_name(Colour, 3) is None  # type: ignore[arg-type]
