"""The one sensor model: pd by slant range (DRI, tables), light, target class, defaults."""

import math

import numpy as np
import pandas as pd
import pytest

from surveil import coverage
from surveil import sensors as sm
from surveil.catalogue import load_catalogue, validate_catalogue
from surveil.errors import SchemaError
from surveil.segments import sample_targets, segment_border
from tests.conftest import border_frame, point_off_line, sensor_frame, straight_line


def one(**columns):
    return pd.DataFrame({k: [v] for k, v in columns.items()})


def test_dri_camera_gives_the_interpolated_pd_at_a_known_slant_range():
    # Camera: detect range D = 1000 m (50 % point), pd 0.6, availability 1.
    # The curve is tabulated at r/D = 1 and 1.25; at r = 1125 m it is half-way.
    # TTPF(x) = x^E / (1 + x^E), E = 2.7 + 0.7 x:
    #   x = 1:    1 / 2 = 0.5
    #   x = 0.8:  E = 3.26; 0.8^3.26 = exp(3.26 · ln 0.8) = exp(-0.727448) = 0.483139;
    #             0.483139 / 1.483139 = 0.325755
    # pd(1125) = 0.6 · (0.5 + 0.325755) / 2 = 0.247727
    curves = sm.pd_curves(one(pd=0.6, detect_m=1000.0, availability=1.0))
    at = curves.probability(np.array([0, 0, 0]), np.array([1000.0, 1125.0, 1250.0]), "day")
    assert at == pytest.approx([0.3, 0.247727, 0.6 * 0.325755], abs=2e-6)


def test_dri_curve_is_the_catalogue_pd_near_the_sensor_and_falls_with_range():
    curves = sm.pd_curves(one(pd=0.8, detect_m=2000.0))
    r = np.linspace(0.0, 9000.0, 200)
    p = curves.probability(np.zeros(r.size, dtype=np.int64), r, "day")
    assert p[0] == pytest.approx(0.8)
    assert np.all(np.diff(p) <= 1e-12)
    # at r = D/4 the cycles are 4x the criterion: TTPF(4) = 4^5.5 / (1 + 4^5.5) = 0.99951
    quarter = curves.probability(np.array([0]), np.array([500.0]), "day")[0]
    assert quarter == pytest.approx(0.8 * 0.99951, abs=1e-5)


def test_pd_by_range_table_is_interpolated_and_wins_over_dri():
    # "0:0.9;2000:0.5" at 1500 m: 0.9 + (1500 / 2000) · (0.5 − 0.9) = 0.6, times availability 0.5
    curves = sm.pd_curves(
        one(pd=0.9, availability=0.5, detect_m=100.0, pd_by_range="0:0.9;2000:0.5")
    )
    got = curves.probability(np.array([0, 0]), np.array([1500.0, 3000.0]), "day")
    assert got == pytest.approx([0.3, 0.25])


def test_a_daylight_camera_contributes_nothing_at_night():
    line = straight_line(5_000, azimuth=90.0)
    targets = sample_targets(segment_border(border_frame(line), segment_m=1000), sample_m=100)
    day_camera = sensor_frame(
        [
            {
                "geometry": point_off_line(line, 2500, 500)[0],
                "range_m": 1000.0,
                "pd": 0.7,
                "pd_night": 0.0,
            }
        ]
    )
    p_light, seeing = coverage.sensor_detection(targets, day_camera, engine="numpy")
    assert p_light[0].max() == pytest.approx(0.7)  # constant pd in range by day
    assert np.all(p_light[1] == 0.0)
    assert seeing.sum() > 0


def test_thermal_night_pd_above_the_day_is_kept_but_never_past_one():
    curves = sm.pd_curves(one(pd=0.6, pd_night=0.9))
    assert curves.probability(np.array([0]), np.array([10.0]), "night")[0] == pytest.approx(0.9)
    capped = sm.pd_curves(one(pd=0.5, pd_night=1.0, pd_by_range="0:0.8;100:0.8"))
    assert capped.probability(np.array([0]), np.array([10.0]), "night")[0] == pytest.approx(1.0)


def test_a_vehicle_is_seen_further_by_the_ratio_of_critical_dimensions():
    # vehicle 2.3 m over person 0.75 m: D_vehicle = 1000 · 2.3 / 0.75 = 3066.7 m,
    # so at 3066.7 m the vehicle curve is at its 50 % point: 0.8 · 0.5
    s = one(pd=0.8, detect_m=1000.0, range_m=2000.0, range_vehicle_m=5000.0)
    curves = sm.pd_curves(s, target="vehicle")
    at = curves.probability(np.array([0]), np.array([1000.0 * 2.3 / 0.75]), "day")[0]
    assert at == pytest.approx(0.4)
    assert sm.for_target(s, "vehicle")["range_m"].tolist() == [5000.0]
    given = sm.pd_curves(s.assign(detect_vehicle_m=1500.0), target="vehicle")
    assert given.probability(np.array([0]), np.array([1500.0]), "day")[0] == pytest.approx(0.4)


def test_recognise_task_uses_the_recognition_range():
    s = one(pd=1.0, detect_m=3000.0, recognise_m=1000.0)
    curves = sm.pd_curves(s, task="recognise")
    assert curves.probability(np.array([0]), np.array([1000.0]), "day")[0] == pytest.approx(0.5)


def test_catalogue_fills_the_model_columns_and_scales_night_to_the_row_pd():
    catalogue = load_catalogue()
    cam = catalogue.set_index("type").loc["camera_tower"]
    rows = pd.DataFrame({"type": ["camera_tower", "day_camera"], "pd": [0.3, 0.7]})
    out = sm.with_model_columns(rows, catalogue)
    # the catalogue's night-to-day ratio applies to the row's own pd
    assert out["pd_night"].tolist() == pytest.approx([0.3 * cam["pd_night"] / cam["pd"], 0.0])
    assert out["detect_m"].tolist() == [cam["detect_m"], 3000.0]
    assert "pd_night" not in rows  # input untouched


def test_one_set_of_sensor_defaults_in_the_layer_and_the_catalogue():
    from surveil.layers.schema import _SCHEMAS

    fields = {f.name: f.default for f in _SCHEMAS["sensors"]}
    row = validate_catalogue(
        [
            {
                "type": "t",
                "kind": "sensor",
                "range_m": 100,
                "pd": 0.5,
                "capex_eur": 1,
                "opex_eur_per_year": 1,
                "staff_fte": 0,
            }
        ]
    ).iloc[0]
    for name in ("height_m", "availability", "fov_deg"):
        assert fields[name] == row[name] == sm.DEFAULTS[name]


def test_catalogue_refuses_a_bad_table_and_disordered_dri_naming_row_and_field():
    base = {
        "type": "t",
        "kind": "sensor",
        "range_m": 100,
        "pd": 0.5,
        "capex_eur": 1,
        "opex_eur_per_year": 1,
        "staff_fte": 0,
    }
    with pytest.raises(SchemaError) as err:
        validate_catalogue(
            [
                {**base, "pd_by_range": "0:0.9;x"},
                {**base, "type": "u", "identify_m": 900, "detect_m": 500},
            ]
        )
    text = str(err.value) + " ".join(str(p) for p in err.value.problems)
    assert "pd_by_range" in text and "identify_m" in text
    rows = {p.row for p in err.value.problems}
    assert rows == {1, 2}


def test_a_sensor_layer_pd_by_range_that_does_not_read_is_a_schema_error():
    s = one(pd=0.5, pd_by_range="0:0.9;100:1.5", source_row=7)
    with pytest.raises(SchemaError) as err:
        sm.pd_curves(s)
    (problem,) = err.value.problems
    assert problem.row == 7 and problem.field == "pd_by_range"


def test_parse_pd_by_range_rejects_decreasing_ranges():
    with pytest.raises(ValueError, match="increase"):
        sm.parse_pd_by_range("0:0.9;500:0.5;400:0.1")
    assert math.isclose(sm.ttpf(1.0), 0.5)


def test_a_sensors_layer_is_refused_with_a_bad_pd_table_or_dri_range(tmp_path):
    from surveil.layers import read_layer

    path = tmp_path / "towers.csv"
    path.write_text(
        "id,lon,lat,range_m,pd,pd_by_range,detect_m,pd_night\n"
        "A,70.0,40.0,1000,0.8,0:0.9;500:0.4,3000,0\n"
        "B,70.1,40.0,1000,0.8,0:0.9;x,-5,1.5\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    found = {(p.row, p.field) for p in err.value.problems}
    assert found == {(2, "pd_by_range"), (2, "detect_m"), (2, "pd_night")}
    path.write_text(
        "id,lon,lat,range_m,pd,pd_by_range,detect_m,pd_night\n"
        "A,70.0,40.0,1000,0.8,0:0.9;500:0.4,3000,0\n",
        encoding="utf-8",
    )
    row = read_layer(path, "sensors").iloc[0]
    assert (row["pd_by_range"], row["detect_m"], row["pd_night"]) == ("0:0.9;500:0.4", 3000.0, 0.0)


def test_a_vanishing_pd_raises_no_floating_point_warning():
    # hypothesis found pd = 5e-324: 1 / pd overflows (filterwarnings = error)
    curves = sm.pd_curves(one(pd=5e-324, pd_night=1.0))
    assert curves.probability(np.array([0]), np.array([10.0]), "night")[0] <= 1.0
