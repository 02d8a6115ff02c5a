"""How the dashboard's figures are shown, once for the page and both exports:
half-up rounding (275.5 → 276, as people round; Python's round() gives
274.5 → 274), percentages as percentages with one decimal."""

from decimal import ROUND_HALF_UP, Decimal


def half_up(value: float, places: int = 0) -> Decimal:
    step = Decimal(1).scaleb(-places)
    return Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)


def whole(value: float) -> int:
    """An expected count as shown: a whole number."""
    return int(half_up(value))


def percent(value: float) -> float:
    """A percentage (0–100+) as shown, one decimal."""
    return float(half_up(value, 1))


def percent_text(value: float) -> str:
    return f"{percent(value):.1f}%"
