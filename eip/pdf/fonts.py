"""The one font family every document uses, embedded so text is searchable and the
page looks the same in every viewer.

DejaVu Sans where the system has it (it covers the Polish, Turkish and Romanian
letters found in London names); otherwise Bitstream Vera, which reportlab itself
ships and which DejaVu grew from, so the layout is the same either way.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "EIPSans"
BOLD = "EIPSans-Bold"
ITALIC = "EIPSans-Italic"
BOLD_ITALIC = "EIPSans-BoldItalic"

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).parent / "fonts"
_CANDIDATES = (
    (
        _DEJAVU,
        {
            REGULAR: "DejaVuSans.ttf",
            BOLD: "DejaVuSans-Bold.ttf",
            ITALIC: "DejaVuSans-Oblique.ttf",
            BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
        },
    ),
    (
        _VERA,
        {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf", ITALIC: "VeraIt.ttf", BOLD_ITALIC: "VeraBI.ttf"},
    ),
)


def _files() -> dict[str, Path]:
    for folder, names in _CANDIDATES:
        paths = {font: folder / name for font, name in names.items()}
        if all(path.is_file() for path in paths.values()):
            return paths
    raise RuntimeError("No embeddable font found for PDF documents")  # reportlab ships Vera


@cache
def register() -> str:
    """Register the family once per process (parsing the font files is the slow part)."""
    for font, path in _files().items():
        pdfmetrics.registerFont(TTFont(font, str(path)))
    # <b> and <i> inside a paragraph pick the matching face.
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, ITALIC)
    addMapping(REGULAR, 1, 1, BOLD_ITALIC)
    return REGULAR
