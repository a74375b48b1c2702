"""The LINE rich menu's image, drawn here in each language (Pillow): four areas side by side, each its label
(a second, smaller line for a reading or the word in another language). The Japanese font is the system's Noto
Sans CJK (fonts-noto-cjk), found with fc-match or at its usual paths."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from dialogs.i18n import N_, gettext, use_locale
from dialogs.ruby import parenthesized

WIDTH, HEIGHT = 2500, 843  # LINE's compact rich menu
BACKGROUND = "#fffdf7"
FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
              "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


class NoFont(RuntimeError):
    """No Japanese font on this machine."""


@dataclass(frozen=True)
class Area:
    """One area of the menu: its postback data (a command at any step) and its label (a message id)."""

    data: str
    label: str
    color: str


AREAS: tuple[Area, ...] = (
    Area("menu:consult", N_("相談する"), "#2f6f5e"),
    Area("menu:places", N_("集まり・相談先"), "#3d5a80"),
    Area("menu:contacts", N_("緊急のとき"), "#9b2c2c"),
    Area("menu:language", N_("言語\nLanguage"), "#5c4d7d"),
)


def font_path() -> Path:
    """A font with Japanese glyphs: fc-match's answer for Noto Sans CJK JP, else a known path; NoFont if none."""
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK JP:bold:lang=ja"], capture_output=True,
                               text=True, check=False).stdout.strip()
        if found and "CJK" in found and Path(found).is_file():
            return Path(found)
    for known in FONT_PATHS:
        if Path(known).is_file():
            return Path(known)
    raise NoFont("No Japanese font was found: install fonts-noto-cjk (apt-get install fonts-noto-cjk).")


def labels(locale: str) -> list[str]:
    """The areas' labels in a language (lines split by a newline; readings in parentheses, as on LINE)."""
    with use_locale(locale):
        return [parenthesized(gettext(area.label)) for area in AREAS]


def draw(locale: str) -> bytes:
    """The menu's image in a language, as PNG."""
    path = font_path()
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    width = WIDTH // len(AREAS)
    for n, (area, label) in enumerate(zip(AREAS, labels(locale), strict=True)):
        left = n * width
        pen.rounded_rectangle((left + 24, 24, left + width - 24, HEIGHT - 24), radius=48, fill=area.color)
        _label(pen, label.split("\n"), left + width // 2, width - 96, path)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _label(pen: ImageDraw.ImageDraw, lines: list[str], middle: int, room: int, path: Path) -> None:
    """The label's lines, centred: the first large, the others smaller; each shrunk until it fits."""
    sizes = [_fitting(line, 120 if i == 0 else 64, room, path) for i, line in enumerate(lines)]
    total = sum(font.size for font in sizes) + 30 * (len(lines) - 1)
    top = (HEIGHT - total) // 2
    for line, font in zip(lines, sizes, strict=True):
        pen.text((middle, top), line, font=font, fill="#ffffff", anchor="mt")
        top += font.size + 30


def _fitting(line: str, size: int, room: int, path: Path) -> ImageFont.FreeTypeFont:
    """The font at `size`, smaller until the line fits `room` pixels."""
    font = ImageFont.truetype(str(path), size)
    while size > 32 and font.getlength(line) > room:
        size -= 6
        font = ImageFont.truetype(str(path), size)
    return font
