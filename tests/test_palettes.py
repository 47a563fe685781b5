"""Colour-blind-safe palettes: every palette a chart or table uses stays distinguishable under
simulated protanopia, deuteranopia and tritanopia, and no table bar looks the same for
"higher is better" and "higher is worse".

Simulation: Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB; distance:
CIE 1976 ΔE*ab in CIELAB (D65). A ΔE around 10 is a clear difference between flat patches.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from ui import charts, components

MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
#: the least ΔE between any two colours of a palette, for each kind of colour vision; status
#: palettes (2–3 colours, the only colour signal of a bar) must do better than series palettes,
#: whose lines also differ by dash pattern and point shape
MIN_DELTA_E = {"assessment status": 25, "heat map": 25, "portfolio vs benchmark": 25,
               "series": 15}
ROOT = Path(__file__).resolve().parent.parent


def linear_rgb(colour: str) -> np.ndarray:
    srgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805],
                    [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ np.clip(linear, 0, 1)
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def least_difference(palette: list[str], matrix: np.ndarray) -> float:
    seen = [lab(matrix @ linear_rgb(c)) for c in palette]
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(seen, 2))


def test_the_simulation_tells_red_from_green_apart_only_for_normal_vision():
    """The check would catch the old palette: red and green collapse for deuteranopes."""
    old = ["#2e7d32", "#c62828"]  # the green / red of the first status palette
    normal = least_difference(old, np.eye(3))
    assert normal > 40
    for kind in ("protanopia", "deuteranopia"):
        seen = least_difference(old, MACHADO[kind])
        assert seen < MIN_DELTA_E["assessment status"] and seen < normal / 3, kind


@pytest.mark.parametrize("deficiency", sorted(MACHADO))
@pytest.mark.parametrize("name", sorted(charts.PALETTES))
def test_palettes_stay_distinguishable(name, deficiency):
    palette = charts.PALETTES[name]
    assert len(set(palette)) == len(palette)
    assert least_difference(palette, MACHADO[deficiency]) >= MIN_DELTA_E[name], (
        name, deficiency)


def test_series_differ_by_dash_and_shape_too():
    n = len(charts.SERIES_COLOURS)
    pairs = set(zip(map(tuple, charts.SERIES_DASHES[:n]), charts.SERIES_SHAPES[:n],
                    strict=True))
    assert len(pairs) == n  # no two series share both dash pattern and shape


def test_no_red_green_pair_in_any_palette():
    def hue_name(colour: str) -> str:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        if r > 150 and g < 90 and b < 90:
            return "red"
        if g > 100 and r < 90 and b < 90:
            return "green"
        return "other"

    for name, palette in charts.PALETTES.items():
        hues = {hue_name(c) for c in palette}
        assert not {"red", "green"} <= hues, name


def test_table_bars_differ_by_direction_and_every_bar_says_which():
    assert least_difference([components.BAR_HIGHER_BETTER, components.BAR_HIGHER_WORSE],
                            MACHADO["deuteranopia"]) >= 25
    better = components.bar_column("A", higher_is="better")
    worse = components.bar_column("B", higher_is="worse")
    assert better["type_config"]["color"] != worse["type_config"]["color"]
    with pytest.raises(ValueError):
        components.bar_column("C", higher_is="up")
    # no page builds a bar column by hand (so none can forget its direction)
    for path in list((ROOT / "pages").rglob("*.py")) + list((ROOT / "ui").glob("*.py")):
        if path.name == "components.py":
            continue
        assert not re.search(r"ProgressColumn\(", path.read_text()), path
