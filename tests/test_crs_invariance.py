"""A result does not depend on the CRS its inputs came in (issue 7, done-when)."""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveil.assessment import assess
from surveil.datasets import load_demo
from surveil.scenario import load_scenario

KINDS = ("border", "sensors", "patrols", "incidents", "posts")

# Projected CRSs that cover the synthetic sector (about 70 E, 40 N): UTM 42 and 43 N,
# Web Mercator, a Lambert azimuthal equal-area and an oblique stereographic of our own,
# and WGS 84 itself.
CRSS = [
    "EPSG:4326",
    "EPSG:32642",
    "EPSG:32643",
    "EPSG:3857",
    "+proj=laea +lat_0=41 +lon_0=69 +datum=WGS84 +units=m",
    "+proj=sterea +lat_0=40 +lon_0=70.5 +k=0.9996 +datum=WGS84 +units=m",
]


def assessed_from(crs: str, base) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        layers = {}
        for kind in KINDS:
            frame = getattr(base, kind).drop(columns="source_row", errors="ignore")
            if "date" in frame:
                frame = frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"))
            path = Path(folder) / f"{kind}.gpkg"
            frame.to_crs(crs).to_file(path, driver="GPKG")
            layers[kind] = path
        scenario = load_scenario(layers=layers, parameters=base.parameters.to_dict())
        return assess(scenario).segments


BASE = load_demo("synthetic")
REFERENCE = assessed_from("EPSG:4326", BASE)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CRSS[1:]))
def test_input_crs_changes_no_segment(crs):
    got = assessed_from(crs, BASE)
    numeric = REFERENCE.select_dtypes("number").columns
    a = REFERENCE[numeric].replace([np.inf], np.nan)
    b = got[numeric].replace([np.inf], np.nan)
    # Coordinates round-trip through the projection to well under a millimetre.
    pd.testing.assert_frame_equal(a, b, atol=1e-6, rtol=1e-6)
    assert (REFERENCE["risk_class"] == got["risk_class"]).all()
    assert (REFERENCE["threat_confidence"] == got["threat_confidence"]).all()
