"""QGIS styles in the assessment GeoPackage (issue 10 item 6)."""

import sqlite3
import xml.etree.ElementTree as ET

import pyogrio
import pytest
from click.testing import CliRunner

from surveil.cli.main import cli

# QGIS's own layer_styles columns (QGIS writes them for a GeoPackage layer).
QGIS_COLUMNS = [
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


def rgba(hex_colour: str) -> str:
    """``#rrggbb`` as QGIS writes a colour: ``r,g,b,255``."""
    return ",".join(str(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"


def categories(qml: str) -> dict[str, tuple[str, str]]:
    """Return value -> (label, line colour) of a categorised QML style."""
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    colours = {
        s.get("name"): s.find("layer/Option/Option[@name='line_color']").get("value")
        for s in renderer.find("symbols")
    }
    return {
        c.get("value"): (c.get("label"), colours[c.get("symbol")])
        for c in renderer.find("categories")
    }


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    out = tmp_path_factory.mktemp("styles") / "o"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    return out / "assessment.gpkg"


def test_layer_styles_table_has_qgis_columns_and_is_registered(gpkg):
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False)
    assert list(styles.columns) == QGIS_COLUMNS
    with sqlite3.connect(gpkg) as db:
        kind = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
    assert kind == ("attributes",)


def test_each_layer_has_one_default_style_in_the_run_language(gpkg):
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False)
    spatial = {n for n, g in pyogrio.list_layers(gpkg) if g is not None}
    assert set(styles["f_table_name"]) == spatial
    defaults = styles[styles["useAsDefault"].astype(bool)]
    assert sorted(defaults["f_table_name"]) == sorted(spatial)
    assert defaults.set_index("f_table_name").loc["gaps", "styleName"] == "Разрывы в охвате"
    for name in spatial:
        assert len(styles[styles["f_table_name"] == name]) >= 2  # English and Russian


def test_risk_style_uses_the_map_colours_and_labels(gpkg):
    from surveil.maps import RISK_COLOURS  # the map's palette, not the module under test

    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False)
    by_name = styles.set_index("styleName")["styleQML"]
    english = categories(by_name["Segments: risk class"])
    russian = categories(by_name["Участки: уровень риска"])
    assert english == {c: (c, rgba(colour)) for c, colour in RISK_COLOURS.items()}
    assert russian["critical"] == ("критический", rgba(RISK_COLOURS["critical"]))
    assert russian["low"][0] == "низкий"


def test_detection_style_has_the_map_bins(gpkg):
    from surveil.maps import DETECT_BINS

    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False)
    qml = styles.set_index("styleName").loc["Segments: detection probability", "styleQML"]
    renderer = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    assert renderer.get("type") == "graduatedSymbol" and renderer.get("attr") == "p_detect"
    ranges = [(float(r.get("lower")), float(r.get("upper"))) for r in renderer.find("ranges")]
    assert ranges == [(lo, hi) for lo, hi, _ in DETECT_BINS]


def test_sld_parses_and_filters_on_risk_class(gpkg):
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False)
    sld = styles.set_index("styleName").loc["Segments: risk class", "styleSLD"]
    root = ET.fromstring(sld)
    ogc = "{http://www.opengis.net/ogc}"
    literals = [e.text for e in root.iter(f"{ogc}Literal")]
    assert literals == ["low", "medium", "high", "critical"]


def test_layers_keep_their_titles_in_both_languages(gpkg):
    with sqlite3.connect(gpkg) as db:
        row = db.execute(
            "SELECT identifier FROM gpkg_contents WHERE table_name = 'gaps'"
        ).fetchone()
    assert row == ("Coverage gaps / Разрывы в охвате",)
