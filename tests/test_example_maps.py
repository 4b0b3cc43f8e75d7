"""The example maps in maps/ (issue 10 item 7): there, linked, offline, in their language."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MAPS = ["kgz-tjk-en.html", "kgz-tjk-ru.html", "tjk-afg-en.html", "tjk-afg-ru.html"]


def test_readme_links_every_example_map_and_they_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\(maps/([^)]+)\)", readme)
    assert set(MAPS) <= set(linked)
    assert "README.md" in linked
    for name in linked:
        assert (ROOT / "maps" / name).is_file(), name


def test_maps_folder_is_small():
    total = sum(p.stat().st_size for p in (ROOT / "maps").iterdir() if p.is_file())
    assert total < 8 * 2**20


@pytest.mark.parametrize("name", MAPS)
def test_example_map_is_offline_and_in_its_language(name):
    html = (ROOT / "maps" / name).read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    layer = "Разрывы в охвате" if name.endswith("-ru.html") else "Coverage gaps"
    assert layer in layer_control_names(html)


def layer_control_names(html: str) -> list[str]:
    """Return the entries of the page's Leaflet layer control (JS string escapes decoded)."""
    block = re.search(r"_layers\s*=\s*\{\s*base_layers\s*:(.*?)\};", html, re.S)
    assert block is not None, "no layer control in the page"
    names = re.findall(r'"((?:[^"\\]|\\.)*)"\s*:\s*\w+', block.group(1))
    return [json.loads(f'"{n}"') for n in names]


def test_maps_readme_says_how_they_were_made():
    text = (ROOT / "maps" / "README.md").read_text(encoding="utf-8")
    assert "python scripts/make_maps.py" in text
    assert (ROOT / "scripts" / "make_maps.py").is_file()
