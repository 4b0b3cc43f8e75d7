"""Tests of input hardening: nonsense refused or warned, not accepted silently (issue 8)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from pyproj import Geod
from shapely import LineString, Point

from surveil.errors import GeometryError, InputError, InputWarning, SchemaError
from surveil.layers import read_layer
from tests.layer_fixtures import write_text


def csv(tmp_path, name, lines):
    return write_text(tmp_path / name, "\n".join(lines) + "\n")


# --------------------------------------------------------------------------- plausibility


LINE = '"LINESTRING (70 40, 70.1 40)"'


@pytest.mark.parametrize(
    ("kind", "header", "good", "bad", "field", "shown", "reason"),
    [
        (
            "sensors",
            "lon,lat,range_m,pd",
            "70,40,2000,0.8",
            "70,40,1e9,0.8",
            "range_m",
            "1000000000",
            "sensor",
        ),
        (
            "sensors",
            "lon,lat,range_m,pd,height_m",
            "70,40,2000,0.8,20",
            "70,40,2000,0.8,20000",
            "height_m",
            "20000",
            "aerostat",
        ),
        (
            "patrols",
            "wkt,visits_per_day",
            f"{LINE},3",
            f"{LINE},500",
            "visits_per_day",
            "500",
            "15 minutes",
        ),
        (
            "patrols",
            "wkt,visits_per_day,sweep_m",
            f"{LINE},2,300",
            f"{LINE},2,50000",
            "sweep_m",
            "50000",
            "patrol",
        ),
        (
            "posts",
            "lon,lat,reaction_speed_kmh",
            "70,40,40",
            "70,40,900",
            "reaction_speed_kmh",
            "900",
            "helicopter",
        ),
        ("incidents", "lon,lat,persons", "70,40,5", "70,40,250000", "persons", "250000", "group"),
    ],
)
def test_implausible_values_are_refused_with_the_reason(
    tmp_path, kind, header, good, bad, field, shown, reason
):
    path = csv(tmp_path, f"{kind}.csv", [header, good, bad])
    assert len(read_layer(csv(tmp_path, "good.csv", [header, good]), kind, crs="EPSG:4326")) == 1
    with pytest.raises(SchemaError) as err:
        read_layer(path, kind, crs="EPSG:4326")
    (problem,) = err.value.problems
    assert (problem.row, problem.field, problem.value) == (2, field, shown)
    assert "plausible" in problem.expected and reason in problem.expected


def test_plausible_extremes_are_accepted(tmp_path):
    # a long-range ground radar (40 km) on a 60 m mast, two passes an hour
    path = csv(tmp_path, "s.csv", ["lon,lat,range_m,pd,height_m", "70,40,40000,0.6,60"])
    assert read_layer(path, "sensors")["range_m"].tolist() == [40000.0]


# --------------------------------------------------------------------------- sensors


def test_field_of_view_without_azimuth_is_refused(tmp_path):
    path = csv(
        tmp_path,
        "s.csv",
        [
            "id,lon,lat,range_m,pd,fov_deg,azimuth_deg",
            "A,70,40,2000,0.8,120,",
            "B,70,40,2000,0.8,360,",
            "C,70,40,2000,0.8,180,90",
        ],
    )
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    (problem,) = err.value.problems
    assert (problem.row, problem.field) == (1, "azimuth_deg")
    assert "fov_deg is 120" in problem.expected


def test_duplicate_sensor_ids_are_refused_naming_the_rows(tmp_path):
    path = csv(
        tmp_path,
        "s.csv",
        ["id,lon,lat,range_m,pd", "T1,70,40,2000,0.8", "T2,70,40,2000,0.8", "T1,70.1,40,2000,0.8"],
    )
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    (problem,) = err.value.problems
    assert (problem.row, problem.field, problem.value) == (3, "id", "'T1'")
    assert "row 1" in problem.expected


# --------------------------------------------------------------------------- dates


def incidents_csv(tmp_path, dates):
    return csv(tmp_path, "incidents.csv", ["lon,lat,date", *(f"70.0,40.0,{d}" for d in dates)])


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2023-13-05", "no month 13"),  # was read day-first as 13 May 2023
        ("2023-02-30", "no 30 February"),
        ("05.13.2023", "no month 13"),  # day.month.year: month 13
        ("01/05/2024", "day/month or month/day"),  # 1 May or 5 January: ambiguous
    ],
)
def test_impossible_or_ambiguous_dates_are_refused(tmp_path, text, why):
    with pytest.raises(SchemaError) as err:
        read_layer(incidents_csv(tmp_path, ["2023-05-01", text]), "incidents")
    (problem,) = err.value.problems
    assert (problem.row, problem.field, problem.value) == (2, "date", repr(text))
    assert "ISO date" in problem.expected


def test_slash_dates_that_settle_the_order_are_read(tmp_path):
    # 13/05 can only be day first, so the whole column is day/month/year
    frame = read_layer(incidents_csv(tmp_path, ["13/05/2024", "01/05/2024"]), "incidents")
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-05-13", "2024-05-01"]


def test_slash_dates_in_both_orders_are_refused(tmp_path):
    with pytest.raises(SchemaError, match="both day/month and month/day"):
        read_layer(incidents_csv(tmp_path, ["13/05/2024", "05/13/2024"]), "incidents")


def test_future_dates_are_refused(tmp_path):
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    with pytest.raises(SchemaError) as err:
        read_layer(incidents_csv(tmp_path, ["2024-05-01", tomorrow]), "incidents")
    (problem,) = err.value.problems
    assert (problem.row, problem.value) == (2, repr(tomorrow))
    assert "after today" in problem.expected


# --------------------------------------------------------------------------- layer choice


def test_empty_template_layer_beside_a_filled_one_is_an_error(tmp_path):
    path = tmp_path / "sensors.gpkg"
    filled = gpd.GeoDataFrame(
        {"id": ["A", "B"], "range_m": [2000.0, 3000.0], "pd": [0.8, 0.7]},
        geometry=[Point(70.0, 40.0), Point(70.1, 40.0)],
        crs=4326,
    )
    pyogrio.write_dataframe(filled.iloc[:0], path, layer="sensors", geometry_type="Point")
    pyogrio.write_dataframe(filled, path, layer="sensors_final", append=True)
    with pytest.raises(InputError) as err:
        read_layer(path, "sensors")  # the empty layer used to win: 0 sensors, silently
    text = str(err.value)
    assert "'sensors' is empty" in text and "'sensors_final' has 2 features" in text
    assert len(read_layer(path, "sensors", layer="sensors_final")) == 2


# --------------------------------------------------------------------------- encodings

CYRILLIC_SENSORS = (
    "id,lon,lat,range_m,pd\nВышка-01,70.0,40.0,2000,0.8\nВышка-02,70.1,40.0,2000,0.8\n"
)


def test_cp1251_csv_is_read_as_cyrillic(tmp_path):
    path = tmp_path / "sensors.csv"
    path.write_bytes(CYRILLIC_SENSORS.encode("cp1251"))
    assert read_layer(path, "sensors")["id"].tolist() == ["Вышка-01", "Вышка-02"]


def test_utf16_excel_unicode_text_is_read(tmp_path):
    # Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated
    path = tmp_path / "sensors.txt"
    path.write_bytes(b"\xff\xfe" + CYRILLIC_SENSORS.replace(",", "\t").encode("utf-16-le"))
    assert read_layer(path, "sensors")["id"].tolist() == ["Вышка-01", "Вышка-02"]


def test_utf16_without_bom_is_read_not_taken_for_utf8(tmp_path):
    path = tmp_path / "sensors.txt"
    path.write_bytes(CYRILLIC_SENSORS.replace(",", "\t").encode("utf-16-le"))  # valid UTF-8 too
    assert read_layer(path, "sensors")["id"].tolist() == ["Вышка-01", "Вышка-02"]
    path.write_bytes(CYRILLIC_SENSORS.encode("utf-16-be"))
    assert read_layer(path, "sensors")["id"].tolist() == ["Вышка-01", "Вышка-02"]


def test_one_stray_byte_in_utf8_is_refused_not_read_as_cp1251(tmp_path):
    data = CYRILLIC_SENSORS.encode("utf-8")
    at = data.index(b"0.8\n") + 3  # end of the first data line
    path = tmp_path / "sensors.csv"
    path.write_bytes(data[:at] + b"\x96" + data[at:])  # a cp1252 dash pasted in
    with pytest.raises(InputError) as err:
        read_layer(path, "sensors")  # used to give 'Р’С‹С€РєР°-01'
    text = str(err.value)
    assert f"byte {at + 1}" in text and "line 2" in text and "0x96" in text
    assert "UTF-8" in text


def test_latin1_text_is_not_taken_for_cp1251(tmp_path):
    path = tmp_path / "sensors.csv"
    path.write_bytes("id,lon,lat,range_m,pd\nMüller,70.0,40.0,2000,0.8\n".encode("latin-1"))
    with pytest.raises(InputError, match="save it as UTF-8"):
        read_layer(path, "sensors")


def test_cp1251_shapefile_without_cpg(tmp_path):
    path = tmp_path / "sensors.shp"
    frame = gpd.GeoDataFrame(
        {"id": ["Вышка-01"], "range_m": [2000.0], "pd": [0.8]},
        geometry=[Point(70.0, 40.0)],
        crs=4326,
    )
    pyogrio.write_dataframe(frame, path, encoding="cp1251")
    path.with_suffix(".cpg").unlink()
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0  # no language driver id, as many tools write
    dbf.write_bytes(bytes(data))
    assert read_layer(path, "sensors")["id"].tolist() == ["Вышка-01"]  # was 'Âûøêà-01'


# --------------------------------------------------------------------------- CSV shape


def test_trailing_delimiter_is_named(tmp_path):
    path = csv(
        tmp_path,
        "sensors.csv",
        ["id,lon,lat,range_m,pd", *(f"S{i},70.0,40.0,2000,0.8," for i in range(20))],
    )
    with pytest.raises(InputError) as err:
        read_layer(path, "sensors")
    text = str(err.value)
    assert "one field more than the header" in text
    assert len(err.value.problems) <= 1  # not one misleading problem per row and column


# --------------------------------------------------------------------------- border

DEMO_BORDER = Path(__file__).resolve().parents[1] / "data" / "kgz-tjk" / "border.geojson"
GEOD = Geod(ellps="WGS84")


def test_the_same_section_twice_is_refused_naming_the_rows(tmp_path):
    demo = gpd.read_file(DEMO_BORDER)
    total_km = sum(GEOD.geometry_length(g) for g in demo.geometry) / 1000
    first_km = GEOD.geometry_length(demo.geometry.iloc[0]) / 1000
    assert round(total_km, 1) == 173.6  # the figure of the issue, by pyproj
    twice = pd.concat([demo, demo.iloc[[0]].assign(section="Isfara–Batken copy")])
    path = tmp_path / "border.geojson"
    pyogrio.write_dataframe(twice, path)  # was read as 173.6 + 121.6 = 295.2 km
    with pytest.raises(GeometryError) as err:
        read_layer(path, "border")
    (problem,) = err.value.problems
    assert problem.row == 3
    assert "row 1" in problem.expected and f"{first_km:.1f} km" in problem.expected


def test_sections_that_only_touch_are_accepted():
    assert len(read_layer(DEMO_BORDER, "border")) == 2


def test_a_self_crossing_border_warns_naming_the_row():
    # a zigzag whose last leg crosses the first: vertices out of order
    crossing = LineString([(70.0, 40.0), (70.1, 40.0), (70.1, 40.05), (70.05, 39.95)])
    border = gpd.GeoDataFrame(
        {"section": ["a", "b"]},
        geometry=[LineString([(69.9, 40.0), (70.0, 40.0)]), crossing],
        crs=4326,
    )
    with pytest.warns(InputWarning, match=r"row 2: the line crosses itself"):
        read_layer(border, "border")


# --------------------------------------------------------------------------- XLSX


def write_xlsx(path, sheets):
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, frame in sheets.items():
            frame.to_excel(book, sheet_name=name, index=False)
    return path


SENSOR_SHEET = pd.DataFrame(
    {
        "id": ["Вышка-01", "T2"],
        "Lon": [70.0, 70.1],
        "Lat": [40.0, 40.01],
        "range_m": [2000, 5000.5],
        "pd": [0.8, 0.7],
    }
)


def test_xlsx_sheet_with_lon_lat_is_read(tmp_path):
    notes = pd.DataFrame({"note": ["register of 2025"]})
    path = write_xlsx(tmp_path / "register.xlsx", {"notes": notes, "towers": SENSOR_SHEET})
    sensors = read_layer(path, "sensors")  # was "has no active geometry column"
    assert sensors["id"].tolist() == ["Вышка-01", "T2"]
    assert sensors["range_m"].tolist() == [2000.0, 5000.5]
    assert [(p.x, p.y) for p in sensors.geometry] == [(70.0, 40.0), (70.1, 40.01)]
    assert sensors.crs.to_epsg() == 4326


def test_xlsx_sheet_named_like_the_kind_and_by_layer(tmp_path):
    other = SENSOR_SHEET.assign(id=["X1", "X2"])
    path = write_xlsx(tmp_path / "r.xlsx", {"old": other, "Sensors": SENSOR_SHEET})
    assert read_layer(path, "sensors")["id"].tolist() == ["Вышка-01", "T2"]
    assert read_layer(path, "sensors", layer="old")["id"].tolist() == ["X1", "X2"]
    with pytest.raises(InputError, match=r"no sheet 'new'; its sheets are: old, Sensors"):
        read_layer(path, "sensors", layer="new")


def test_xlsx_wkt_column_and_validation(tmp_path):
    patrols = pd.DataFrame(
        {
            "WKT": ["LINESTRING (70 40, 70.1 40)", "LINESTRING (70 40.01, 70.1 40.01)"],
            "visits_per_day": [2, -1],
        }
    )
    path = write_xlsx(tmp_path / "patrols.xlsx", {"patrols": patrols})
    with pytest.raises(SchemaError) as err:
        read_layer(path, "patrols", crs="EPSG:4326")
    (problem,) = err.value.problems
    assert (problem.source, problem.row, problem.field, problem.value) == (
        "patrols.xlsx",
        2,
        "visits_per_day",
        "-1",
    )


def test_xlsx_empty_template_sheet_beside_a_filled_one(tmp_path):
    template = SENSOR_SHEET.iloc[:0]
    path = write_xlsx(tmp_path / "r.xlsx", {"sensors": template, "sensors_final": SENSOR_SHEET})
    with pytest.raises(InputError, match=r"'sensors' is empty, but 'sensors_final' has 2"):
        read_layer(path, "sensors")


def test_xlsx_date_cells_are_dates(tmp_path):
    incidents = pd.DataFrame(
        {
            "lon": [70.0, 70.1],
            "lat": [40.0, 40.0],
            "date": [dt.datetime(2024, 5, 1, 6, 30), dt.datetime(2024, 6, 2)],
            "persons": [2, 3],
        }
    )
    path = write_xlsx(tmp_path / "incidents.xlsx", {"incidents": incidents})
    frame = read_layer(path, "incidents")
    assert frame["date"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2024-05-01 06:30",
        "2024-06-02 00:00",
    ]
    assert frame["persons"].tolist() == [2, 3]
