"""Inline the JavaScript and CSS of a rendered Folium page so it works offline.

Folium writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">``
tags. A workshop projector often has no internet, so :func:`inline_assets`
replaces each tag by the file's text, read from the installed
``folium-offline`` package (MIT), which ships the Leaflet, MarkerCluster,
Leaflet.heat, Leaflet.fullscreen and leaflet-measure files that Folium links
to, keyed by their URL, with their images as data URIs. Nothing is
downloaded: an asset that is not installed is an error, not a silent link.

surveil keeps no third-party code of its own; the files are read from the
dependency at save time.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
from pathlib import Path

from surveil.errors import SurveilError

__all__ = ["OfflineAssetError", "inline_assets"]

_ASSET_PACKAGE = "offlinefolium"  # import name of the PyPI package folium-offline
_ASSET_MODULE = "elements.py"  # holds ``_res[url] = '''text'''`` assignments

_SCRIPT = re.compile(r"""<script\s+src\s*=\s*["']([^"']+)["']\s*>\s*</script>""", re.I)
_LINK = re.compile(r"""<link\s+[^>]*href\s*=\s*["']([^"']+)["'][^>]*>""", re.I)
_REMOTE = re.compile(r"^(https?:)?//", re.I)


class OfflineAssetError(SurveilError, RuntimeError):
    """A script or style sheet the map needs is not installed."""


def inline_assets(page: str) -> str:
    """Replace remote ``<script src>`` and style-sheet ``<link>`` tags by inline ones.

    Parameters
    ----------
    page
        A whole HTML page as rendered by Folium.

    Returns
    -------
    str
        The page with every remote script and style sheet inlined.

    Raises
    ------
    OfflineAssetError
        If a linked file is not shipped by the installed asset package.

    Examples
    --------
    >>> inline_assets('<p>no assets</p>')
    '<p>no assets</p>'
    """
    page = _SCRIPT.sub(_inline_script, page)
    return _LINK.sub(_inline_link, page)


def _inline_script(match: re.Match[str]) -> str:
    url = match.group(1)
    if not _REMOTE.match(url):
        return match.group(0)
    text = asset_text(url)
    return "<script>\n" + re.sub(r"</(script)", r"<\\/\1", text, flags=re.I) + "\n</script>"


def _inline_link(match: re.Match[str]) -> str:
    tag, url = match.group(0), match.group(1)
    if "stylesheet" not in tag.lower() or not _REMOTE.match(url):
        return tag
    text = asset_text(url)
    return "<style>\n" + re.sub(r"</(style)", r"<\\/\1", text, flags=re.I) + "\n</style>"


def asset_text(url: str) -> str:
    """Return the text of the installed copy of the file Folium links as `url`.

    Parameters
    ----------
    url
        The CDN address written by Folium.

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    OfflineAssetError
        If no installed copy is known for `url`.
    """
    assets = _assets()
    if url in assets:
        return assets[url]
    key = _normalise(url)
    for known, text in assets.items():
        if _normalise(known) == key:
            return text
    raise OfflineAssetError(
        f"the map links {url}, which the installed {_ASSET_PACKAGE} package does not ship; "
        "expected a folium-offline release matching the installed folium "
        "(pip install -U folium-offline)"
    )


def _normalise(url: str) -> str:
    """Reduce a CDN URL to host-independent path parts (``leaflet@1.9.3/leaflet.js``)."""
    path = _REMOTE.sub("", url).split("/", 1)[-1]
    parts = [p for p in path.split("/") if p not in {"npm", "gh", "dist", "ajax", "libs"}]
    return "/".join(parts[-2:]).lower()


@functools.cache
def _assets() -> dict[str, str]:
    """Read the URL -> text table of the asset package without importing it."""
    spec = importlib.util.find_spec(_ASSET_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise OfflineAssetError(
            "saving an offline map needs the folium-offline package, which ships "
            "Leaflet and its plugins; install it with: pip install folium-offline"
        )
    source = Path(next(iter(spec.submodule_search_locations))) / _ASSET_MODULE
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    table: dict[str, str] = {}
    for node in tree.body:
        item = _asset_assignment(node)
        if item is not None:
            table[item[0]] = item[1]
    if not table:
        raise OfflineAssetError(f"{source} holds no assets; is folium-offline broken?")
    return table


def _asset_assignment(node: ast.stmt) -> tuple[str, str] | None:
    """Return ``(url, text)`` for a statement ``_res['url'] = '''text'''``."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
        return None
    target = node.targets[0]
    if not (
        isinstance(target, ast.Subscript)
        and isinstance(target.value, ast.Name)
        and target.value.id == "_res"
        and isinstance(target.slice, ast.Constant)
        and isinstance(target.slice.value, str)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return None
    return target.slice.value, node.value.value
