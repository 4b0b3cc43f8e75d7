"""A sweep's map in a real headless Chromium: the probability-of-a-gap layer exists and toggles.

The folder is the hand-built half-gap sweep of tests/test_sweep_outputs.py; its own map
(English) and the map ``surveil map`` redraws from the folder alone (Russian) are opened.
Screenshots with the layer on go to tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from surveil import i18n
from surveil.cli.main import cli
from tests.browser import CHROMIUM, Page
from tests.test_sweep_outputs import half_gap_folder

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed"),
]

ARTIFACTS = Path(__file__).parent / "artifacts"

_CALL = "(window[Object.keys(window).find(function (k) { return /^map_/.test(k); })])"

# Click the layer's checkbox on, off and on again; report the map's state and the colours of
# the layer's lines while shown.
_TOGGLE_GAP = (
    """(function (m) {
  var control = window.svLayerControl, name = %s, found = null;
  control._layers.forEach(function (entry) { if (entry.name === name) { found = entry; } });
  if (!found) { return null; }
  var input = control._layerControlInputs.find(function (el) {
    return el.layerId === L.stamp(found.layer);
  });
  var states = [m.hasLayer(found.layer)];
  input.click(); states.push(m.hasLayer(found.layer));
  var colours = [];
  found.layer.eachLayer(function (g) {
    if (g.eachLayer) { g.eachLayer(function (l) { colours.push(l.options.color); }); }
  });
  input.click(); states.push(m.hasLayer(found.layer));
  input.click(); states.push(m.hasLayer(found.layer));
  return [states, colours];
})"""
    + _CALL
)


@pytest.fixture(scope="module")
def sweep_maps(tmp_path_factory) -> dict[str, Path]:
    folder = half_gap_folder(tmp_path_factory.mktemp("sweep") / "out")
    redrawn = folder / "map-ru.html"
    result = CliRunner().invoke(cli, ["map", str(folder), "--lang", "ru", "--out", str(redrawn)])
    assert result.exit_code == 0, result.output
    return {"en": folder / "map.html", "ru": redrawn}


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_gap_probability_layer_exists_and_toggles(sweep_maps, lang):
    import json

    name = i18n.label("layer_gap_probability", lang)
    with Page(1280, 720) as page:
        page.open(sweep_maps[lang])
        answer = page.js(_TOGGLE_GAP % json.dumps(name))
        assert answer is not None, f"no layer {name!r} in the layer control"
        states, colours = answer
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(ARTIFACTS / f"sweep_gap_probability_{lang}.png")
        assert page.errors() == []
        assert page.requests() == []
    # hidden at first; each click shows or hides it
    assert states == [False, True, False, True]
    # every segment lies in a gap in half the samples: the bin 0.5-0.75 of the ramp
    assert colours and set(colours) == {"#756bb1"}
