"""Tests of reading and validating input layers (surveil.layers)."""

from __future__ import annotations

import importlib.util
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, MultiLineString, MultiPoint, Point, Polygon

from surveil.errors import CRSError, GeometryError, InputError, InputWarning, SchemaError
from surveil.layers import LAYER_KINDS, check_near_border, clip_to_border, read_layer
from tests.layer_fixtures import (
    BORDER_LAT,
    GPX_TRACK,
    KML_SENSORS,
    border_frame,
    country_polygons,
    digest,
    sensors_frame,
    write,
    write_text,
)

SENSOR_COLUMNS = [
    "id",
    "type",
    "range_m",
    "azimuth_deg",
    "fov_deg",
    "height_m",
    "ground_m",
    "pd",
    "availability",
    # the sensor model's optional columns (surveil.sensors), empty unless given
    "pd_night",
    "detect_m",
    "recognise_m",
    "identify_m",
    "pd_by_range",
    "availability_by_month",
    "status",
    "agency",
    "source_row",
    "geometry",
]


def sensors_csv(tmp_path, rows, header="id,lon,lat,range_m,pd", name="sensors.csv"):
    return write_text(tmp_path / name, "\n".join([header, *rows]) + "\n")


def quiet_write(frame, path, **kwargs):
    """Write a file, ignoring the shapefile driver's notes about truncated names."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return write(frame, path, **kwargs)


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("suffix", "options"),
    [
        ("gpkg", {}),
        ("geojson", {}),
        ("shp", {}),
        ("fgb", {"SPATIAL_INDEX": "NO"}),
    ],
)
def test_ogr_formats_give_the_same_sensors(tmp_path, suffix, options):
    path = quiet_write(sensors_frame(), tmp_path / f"sensors.{suffix}", **options)
    sensors = read_layer(path, "sensors")
    assert list(sensors.columns) == SENSOR_COLUMNS
    assert sensors["id"].tolist() == ["T1", "T2", "T3"]
    assert sensors["status"].tolist() == ["operational", "faulty", "planned"]
    assert sensors["azimuth_deg"].isna().tolist() == [False, True, False]
    assert sensors["availability"].tolist() == [0.95, 1.0, 0.9]
    assert sensors["source_row"].tolist() == [1, 2, 3]
    assert sensors.crs.to_epsg() == 4326
    assert sensors.geometry.x.tolist() == pytest.approx([70.02, 70.06, 70.10])


def test_geoparquet(tmp_path):
    if importlib.util.find_spec("pyarrow") is None:
        pytest.skip("pyarrow is not installed")
    path = tmp_path / "sensors.parquet"
    sensors_frame().to_parquet(path)
    assert read_layer(path, "sensors")["id"].tolist() == ["T1", "T2", "T3"]


def test_geoparquet_without_pyarrow_names_the_file(tmp_path):
    if importlib.util.find_spec("pyarrow") is not None:
        pytest.skip("pyarrow is installed")
    path = write_text(tmp_path / "sensors.parquet", "not parquet")
    with pytest.raises(InputError, match=r"sensors\.parquet.*pyarrow"):
        read_layer(path, "sensors")


def test_kml_with_extended_data(tmp_path):
    path = write_text(tmp_path / "sensors.kml", KML_SENSORS)
    sensors = read_layer(path, "sensors", columns={"id": "Name"})
    assert sensors["id"].tolist() == ["K1", "K2"]
    assert sensors["range_m"].tolist() == [2500.0, 3000.0]
    assert sensors.geometry.has_z.tolist() == [False, False]


def test_gpx_track_points_become_a_patrol_pass(tmp_path):
    path = write_text(tmp_path / "patrol.gpx", GPX_TRACK)
    patrols = read_layer(path, "patrols")
    assert len(patrols) == 1
    assert patrols.loc[0, "visits_per_day"] == 1.0
    assert patrols.geometry.iloc[0].equals(
        LineString([(70, 40.001), (70.03, 40.001), (70.06, 40.001)])
    )


def test_csv_with_lon_lat_columns_is_wgs84(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8", "B,70.06,40.01,2500,0.7"])
    sensors = read_layer(path, "sensors")
    assert sensors["id"].tolist() == ["A", "B"]
    assert sensors.geometry.iloc[1].equals(Point(70.06, 40.01))
    assert sensors["source_row"].tolist() == [1, 2]


def test_csv_column_names_in_any_case_and_given_names(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8"], header="id,Longitude,LAT,range_m,pd")
    assert read_layer(path, "sensors").geometry.iloc[0].equals(Point(70.02, 40.005))
    path = sensors_csv(
        tmp_path, ["A,70.02,40.005,2000,0.8"], header="id,E,N,range_m,pd", name="b.csv"
    )
    assert read_layer(path, "sensors", x="E", y="N", crs="EPSG:4326").geometry.iloc[0].x == 70.02


def test_csv_semicolon_and_decimal_comma(tmp_path):
    path = sensors_csv(tmp_path, ["A;70,02;40,005;2000;0,8"], header="id;lon;lat;range_m;pd")
    sensors = read_layer(path, "sensors")
    assert sensors.loc[0, "pd"] == 0.8
    assert sensors.geometry.iloc[0].equals(Point(70.02, 40.005))


def test_csv_with_x_y_needs_a_crs(tmp_path):
    path = sensors_csv(tmp_path, ["A,500000,4427757,2000,0.8"], header="id,x,y,range_m,pd")
    with pytest.raises(CRSError, match=r"sensors\.csv.*no coordinate reference system.*crs"):
        read_layer(path, "sensors")
    sensors = read_layer(path, "sensors", crs="EPSG:32642")
    assert sensors.geometry.iloc[0].x == pytest.approx(69.0, abs=1e-6)
    assert sensors.geometry.iloc[0].y == pytest.approx(40.0, abs=1e-4)


def test_csv_bad_coordinate_text(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8", "B,seventy,40.01,2500,0.7"])
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    assert "sensors.csv, layer sensors, row 2: lon is 'seventy'" in str(err.value)


def test_dtypes():
    sensors = read_layer(sensors_frame(), "sensors")
    assert sensors["range_m"].dtype == np.float64
    assert sensors["source_row"].dtype == np.int64
    assert pd.api.types.is_string_dtype(sensors["id"])
    incidents = read_layer(
        gpd.GeoDataFrame(
            {"date": ["2024-05-01", ""], "persons": [3, None]},
            geometry=[Point(70.01, 40.0), Point(70.02, 40.0)],
            crs=4326,
        ),
        "incidents",
    )
    assert incidents["date"].dtype == "datetime64[ns]"
    assert incidents["date"].isna().tolist() == [False, True]
    assert incidents["persons"].dtype == np.int64
    assert incidents["persons"].tolist() == [3, 1]
    assert incidents["type"].tolist() == ["crossing", "crossing"]


@pytest.mark.parametrize("kind", LAYER_KINDS[1:])
def test_empty_layers_are_valid(tmp_path, kind):
    frame = gpd.GeoDataFrame({"a": []}, geometry=[], crs=4326)
    path = quiet_write(frame, tmp_path / f"{kind}.geojson")
    out = read_layer(path, kind)
    assert len(out) == 0
    assert "source_row" in out.columns
    assert out.crs.to_epsg() == 4326


def test_empty_sensor_csv_has_the_columns(tmp_path):
    path = sensors_csv(tmp_path, [])
    sensors = read_layer(path, "sensors")
    assert list(sensors.columns) == SENSOR_COLUMNS
    assert len(sensors) == 0


def test_empty_border_is_an_error(tmp_path):
    path = quiet_write(gpd.GeoDataFrame({"a": []}, geometry=[], crs=4326), tmp_path / "b.geojson")
    with pytest.raises(GeometryError, match=r"b\.geojson, layer border.*no features"):
        read_layer(path, "border")


# --------------------------------------------------------------------------- file problems


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nothere\.gpkg: file not found"):
        read_layer(tmp_path / "nothere.gpkg", "sensors")


def test_unreadable_file_is_wrapped(tmp_path):
    path = write_text(tmp_path / "broken.gpkg", "this is not a geopackage")
    with pytest.raises(InputError, match=r"broken\.gpkg.*cannot be read") as err:
        read_layer(path, "sensors")
    assert "Traceback" not in str(err.value)


def test_unknown_layer_lists_layers(tmp_path):
    path = tmp_path / "data.gpkg"
    write(sensors_frame(), path, layer="towers")
    write(border_frame(), path, layer="line")
    with pytest.raises(InputError, match=r"data\.gpkg.*no layer 'cams'.*towers, line"):
        read_layer(path, "sensors", layer="cams")
    assert len(read_layer(path, "sensors", layer="towers")) == 3
    # Without a name, the only non-empty point layer is the one.
    assert len(read_layer(path, "sensors")) == 3


def test_ambiguous_layers_must_be_named(tmp_path):
    path = tmp_path / "data.gpkg"
    write(sensors_frame(), path, layer="towers")
    write(sensors_frame(), path, layer="cameras")
    with pytest.raises(InputError, match=r"data\.gpkg: has 2 layers \(towers, cameras\); name"):
        read_layer(path, "sensors")


def test_layer_named_like_the_kind_is_chosen(tmp_path):
    path = tmp_path / "data.gpkg"
    write(sensors_frame().iloc[:1], path, layer="towers")
    write(sensors_frame(), path, layer="sensors")
    assert len(read_layer(path, "sensors")) == 3


def test_unknown_kind():
    with pytest.raises(InputError, match="unknown layer kind 'cameras'"):
        read_layer(sensors_frame(), "cameras")


# --------------------------------------------------------------------------- CRS


def test_missing_crs_is_refused(tmp_path):
    path = quiet_write(sensors_frame().set_crs(None, allow_override=True), tmp_path / "s.shp")
    with pytest.raises(CRSError) as err:
        read_layer(path, "sensors")
    message = str(err.value)
    assert "s.shp, layer sensors" in message
    assert "no coordinate reference system" in message
    assert "crs =" in message and "--crs" in message


def test_missing_crs_stated_by_user(tmp_path):
    frame = sensors_frame("EPSG:32642").set_crs(None, allow_override=True)
    path = quiet_write(frame, tmp_path / "s.shp")
    sensors = read_layer(path, "sensors", crs="EPSG:32642")
    assert sensors.geometry.x.tolist() == pytest.approx([70.02, 70.06, 70.10], abs=1e-7)


def test_stated_crs_contradicting_the_file(tmp_path):
    path = write(sensors_frame(), tmp_path / "s.gpkg")
    with pytest.raises(CRSError, match=r"s\.gpkg.*EPSG:4326.*EPSG:32642"):
        read_layer(path, "sensors", crs="EPSG:32642")
    assert len(read_layer(path, "sensors", crs="EPSG:4326")) == 3


def test_unknown_crs_text():
    frame = sensors_frame().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="crs 'EPSG:99999999' is not a coordinate reference system"):
        read_layer(frame, "sensors", crs="EPSG:99999999")


def test_swapped_degrees_out_of_range(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8", "B,40.01,120.06,2500,0.7"])
    with pytest.raises(CRSError) as err:
        read_layer(path, "sensors")
    assert "sensors.csv, layer sensors, row 2" in str(err.value)
    assert "longitude and latitude look swapped" in str(err.value)


def test_projected_coordinates_labelled_as_degrees(tmp_path):
    path = sensors_csv(tmp_path, ["A,500000,4427757,2000,0.8"])
    with pytest.raises(CRSError, match=r"row 1: coordinates .* projected coordinates"):
        read_layer(path, "sensors")


def test_same_layer_in_wgs84_and_utm(tmp_path):
    wgs = read_layer(write(sensors_frame(), tmp_path / "wgs.gpkg"), "sensors")
    utm = read_layer(write(sensors_frame("EPSG:32642"), tmp_path / "utm.gpkg"), "sensors")
    assert (
        np.abs(shapely.get_coordinates(wgs.geometry) - shapely.get_coordinates(utm.geometry)).max()
        < 1e-7
    )
    border_wgs = read_layer(border_frame(), "border")
    border_utm = read_layer(border_frame("EPSG:32642"), "border")
    diff = shapely.get_coordinates(border_wgs.geometry) - shapely.get_coordinates(
        border_utm.geometry
    )
    assert np.abs(diff).max() < 1e-7


# --------------------------------------------------------------------------- geometry


def test_invalid_polygon_border_repaired_with_warning():
    polygons = country_polygons()
    bowtie = Polygon([(70.0, 40.0), (70.12, 40.0), (70.0, 40.1), (70.12, 40.1)])
    polygons.loc[0, "geometry"] = bowtie
    with pytest.warns(InputWarning, match=r"<GeoDataFrame>, layer border: repaired .* rows 1"):
        border = read_layer(polygons, "border")
    assert len(border) == 1
    assert border.geometry.iloc[0].equals(LineString([(70.0, 40.0), (70.12, 40.0)]))


def test_invalid_line_repaired_or_refused(tmp_path):
    frame = border_frame()
    # the next stretch east (a copy of the first would be refused as given twice)
    broken = MultiLineString([[(70.12, 40.0), (70.12, 40.0)], [(70.12, 40.0), (70.24, 40.0)]])
    frame = pd.concat([frame, frame.assign(section="south", geometry=[broken])], ignore_index=True)
    frame = gpd.GeoDataFrame(frame, crs=4326)
    path = write(frame, tmp_path / "border.gpkg")
    with pytest.warns(InputWarning, match=r"border\.gpkg, layer border: repaired .*rows 2"):
        border = read_layer(path, "border")
    assert border.geometry.iloc[1].equals(LineString([(70.12, 40.0), (70.24, 40.0)]))
    with pytest.raises(GeometryError) as err:
        read_layer(path, "border", repair=False)
    assert "border.gpkg, layer border, row 2: geometry is not valid" in str(err.value)
    assert "repair" in str(err.value)


def test_wrong_geometry_type(tmp_path):
    frame = sensors_frame()
    frame.loc[1, "geometry"] = LineString([(70.0, 40.0), (70.1, 40.0)])
    path = write(frame, tmp_path / "sensors.geojson")
    with pytest.raises(GeometryError) as err:
        read_layer(path, "sensors")
    message = str(err.value)
    assert (
        "sensors.geojson, layer sensors, row 2: geometry is LineString; expected Point" in message
    )


def test_single_point_multipoint_accepted():
    frame = sensors_frame()
    frame.loc[0, "geometry"] = MultiPoint([(70.02, 40.005)])
    assert read_layer(frame, "sensors").geometry.iloc[0].equals(Point(70.02, 40.005))


def test_missing_geometry_names_rows(tmp_path):
    frame = sensors_frame()
    frame.loc[2, "geometry"] = None
    path = write(frame, tmp_path / "sensors.gpkg")
    with pytest.raises(
        GeometryError, match=r"sensors\.gpkg, layer sensors, row 3: has no geometry"
    ):
        read_layer(path, "sensors")


def test_csv_row_without_coordinates(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8", "B,,,2500,0.7"])
    with pytest.raises(GeometryError, match=r"sensors\.csv, layer sensors, row 2: has no geometry"):
        read_layer(path, "sensors")


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("kind", "column", "value", "expected"),
    [
        ("sensors", "range_m", -500, "range_m is -500; expected a positive distance in metres"),
        ("sensors", "range_m", 0, "range_m is 0; expected a positive distance in metres"),
        ("sensors", "azimuth_deg", 400, "azimuth_deg is 400; expected a bearing from 0 to 360"),
        ("sensors", "fov_deg", 0, "fov_deg is 0; expected an angle in degrees above 0"),
        ("sensors", "fov_deg", 361, "fov_deg is 361; expected an angle"),
        ("sensors", "height_m", -1, "height_m is -1; expected a height in metres, 0 or more"),
        ("sensors", "pd", 1.5, "pd is 1.5; expected a probability from 0 to 1"),
        ("sensors", "pd", 85, "pd is 85; expected a probability from 0 to 1 (85 looks like a"),
        ("sensors", "availability", -0.1, "availability is -0.1; expected a probability"),
        ("patrols", "visits_per_day", -2, "visits_per_day is -2; expected a number of passes"),
        ("patrols", "sweep_m", 0, "sweep_m is 0; expected a positive distance in metres"),
        ("incidents", "persons", 0, "persons is 0; expected a whole number of persons, 1 or more"),
        ("incidents", "persons", 2.5, "persons is 2.5; expected a whole number"),
        (
            "posts",
            "reaction_speed_kmh",
            -30,
            "reaction_speed_kmh is -30; expected a positive speed",
        ),
        ("settlements", "population", -5, "population is -5; expected a number of people"),
    ],
)
def test_out_of_range_values(tmp_path, kind, column, value, expected):
    geometry = LineString([(70.0, 40.0), (70.1, 40.0)]) if kind == "patrols" else Point(70.0, 40.0)
    base = {"sensors": {"range_m": 1000.0, "pd": 0.5}, "patrols": {"visits_per_day": 1.0}}
    fine = 90.0 if column == "fov_deg" else 1.0
    pointed = {"azimuth_deg": [0.0, 0.0]} if column == "fov_deg" else {}  # a sector needs a bearing
    frame = gpd.GeoDataFrame(
        {**base.get(kind, {}), **pointed, column: [fine, float(value)]},
        geometry=[geometry] * 2,
        crs=4326,
    )
    path = write(frame, tmp_path / f"{kind}.gpkg")
    with pytest.raises(SchemaError) as err:
        read_layer(path, kind)
    assert f"{kind}.gpkg, layer {kind}, row 2: {expected}" in str(err.value)
    assert "row 1:" not in str(err.value)


def test_text_in_numeric_field(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,abc,0.8"])
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    assert (
        "sensors.csv, layer sensors, row 1: range_m is 'abc'; expected a number in metres"
        in str(err.value)
    )


def test_required_value_empty(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,,0.8"])
    with pytest.raises(SchemaError, match="row 1: range_m is empty; expected a positive distance"):
        read_layer(path, "sensors")


def test_bad_enum(tmp_path):
    path = sensors_csv(
        tmp_path, ["A,70.02,40.005,2000,0.8,broken"], header="id,lon,lat,range_m,pd,status"
    )
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    assert (
        "sensors.csv, layer sensors, row 1: status is 'broken'; "
        "expected one of operational, faulty, planned" in str(err.value)
    )


def test_enum_case_and_spelling_normalised():
    frame = gpd.GeoDataFrame(
        {"outcome": ["Detected only", "EVADED", None], "type": ["Smuggling", "", "other"]},
        geometry=[Point(70.0, 40.0)] * 3,
        crs=4326,
    )
    incidents = read_layer(frame, "incidents")
    assert incidents["outcome"].tolist() == ["detected-only", "evaded", ""]
    assert incidents["type"].tolist() == ["smuggling", "crossing", "other"]


def test_bad_date(tmp_path):
    path = write_text(tmp_path / "incidents.csv", "lon,lat,date\n70.0,40.0,2024-13-45\n")
    with pytest.raises(SchemaError, match=r"row 1: date is '2024-13-45'; expected an ISO date"):
        read_layer(path, "incidents")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", "2024-05-01 00:00"),
        ("2024-05-01T06:30:00+05:00", "2024-05-01 01:30"),
        ("01.05.2024", "2024-05-01 00:00"),
        ("01.05.2024 06:30", "2024-05-01 06:30"),
    ],
)
def test_date_formats(tmp_path, text, expected):
    path = write_text(tmp_path / "incidents.csv", f"lon,lat,date\n70.0,40.0,{text}\n")
    assert read_layer(path, "incidents").loc[0, "date"] == pd.Timestamp(expected)


def test_azimuth_360_is_north():
    frame = sensors_frame()
    frame.loc[0, "azimuth_deg"] = 360.0
    assert read_layer(frame, "sensors").loc[0, "azimuth_deg"] == 0.0


def test_missing_required_column_lists_file_columns(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,0.8"], header="id,lon,lat,pd")
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    message = str(err.value)
    assert "sensors.csv, layer sensors: required column range_m is missing" in message
    assert "the file has columns: id, lon, lat, pd" in message


def test_every_problem_is_reported_at_once(tmp_path):
    path = sensors_csv(
        tmp_path,
        ["A,70.02,40.005,-1,0.8", "B,70.03,40.005,2000,2", "C,70.04,40.005,x,-3"],
    )
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors")
    found = [(p.row, p.field) for p in err.value.problems]
    assert found == [(1, "range_m"), (2, "pd"), (3, "range_m"), (3, "pd")]


def test_renamed_columns(tmp_path):
    path = sensors_csv(
        tmp_path,
        ["A,70.02,40.005,2000,0.8", "B,70.03,40.005,-5,0.8"],
        header="Name,lon,lat,Range,Pdet",
    )
    columns = {"id": "Name", "range_m": "Range", "pd": "Pdet"}
    with pytest.raises(SchemaError) as err:
        read_layer(path, "sensors", columns=columns)
    assert "row 2: Range is -5; expected a positive distance in metres" in str(err.value)
    fixed = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8"], header="Name,lon,lat,Range,Pdet")
    sensors = read_layer(fixed, "sensors", columns=columns)
    assert sensors.loc[0, ["id", "range_m", "pd"]].tolist() == ["A", 2000.0, 0.8]


def test_renamed_column_not_in_file(tmp_path):
    path = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8"])
    with pytest.raises(
        SchemaError, match=r"Reichweite: column given for range_m is not in the file"
    ):
        read_layer(path, "sensors", columns={"range_m": "Reichweite"})
    with pytest.raises(SchemaError, match=r"names 'colour', which is not a sensors column"):
        read_layer(path, "sensors", columns={"colour": "c"})


# --------------------------------------------------------------------------- border


def test_border_rows_merged_per_section_and_parts_kept(tmp_path):
    frame = gpd.GeoDataFrame(
        {"section": ["east", "east", "east", "west"]},
        geometry=[
            LineString([(70.0, 40.0), (70.05, 40.0)]),
            LineString([(70.05, 40.0), (70.1, 40.0)]),
            LineString([(70.2, 40.0), (70.3, 40.0)]),  # does not join: an enclave part
            LineString([(69.0, 40.0), (69.5, 40.0)]),
        ],
        crs=4326,
    )
    border = read_layer(write(frame, tmp_path / "border.gpkg"), "border")
    assert border["section"].tolist() == ["east", "west"]
    east = border.geometry.iloc[0]
    assert east.geom_type == "MultiLineString"
    assert len(east.geoms) == 2
    assert east.length == pytest.approx(0.2)
    assert border["source_row"].tolist() == [1, 4]


def test_unnamed_border_is_one_section_named_after_the_file(tmp_path):
    frame = gpd.GeoDataFrame(
        geometry=[
            LineString([(70.0, 40.0), (70.05, 40.0)]),
            LineString([(70.05, 40.0), (70.1, 40.0)]),
        ],
        crs=4326,
    )
    border = read_layer(write(frame, tmp_path / "kg_tj.geojson"), "border")
    assert border["section"].tolist() == ["kg_tj"]
    assert border.geometry.iloc[0].geom_type == "LineString"
    assert border["country_left"].tolist() == [""]


def test_two_country_polygons_give_the_shared_edge():
    border = read_layer(country_polygons(), "border")
    assert len(border) == 1
    row = border.iloc[0]
    assert row["section"] == "Alpha–Beta"
    assert (row["country_left"], row["country_right"]) == ("Alpha", "Beta")
    assert row.geometry.equals(LineString([(70.0, 40.0), (70.12, 40.0)]))


def test_three_polygons_are_refused():
    polygons = pd.concat([country_polygons(), country_polygons().iloc[:1]], ignore_index=True)
    with pytest.raises(GeometryError, match="exactly two features; got 3"):
        read_layer(gpd.GeoDataFrame(polygons, crs=4326), "border")


# --------------------------------------------------------------------------- patrols


def test_patrol_point_tracks_become_passes(tmp_path):
    times = [
        "2024-05-01T06:00",
        "2024-05-01T06:30",
        "2024-05-01T07:00",  # first pass of R1
        "2024-05-03T06:00",
        "2024-05-03T06:40",  # second pass of R1, after a 2-day gap
        "2024-05-02T09:00",
        "2024-05-02T10:00",  # R2
        "2024-05-05T06:00",  # R2 single fix: dropped
    ]
    rows = [f"R1,{70 + i * 0.01:.2f},40.001,{t}" for i, t in enumerate(times[:5])]
    rows += [f"R2,{70 + i * 0.01:.2f},39.999,{t}" for i, t in enumerate(times[5:])]
    path = write_text(tmp_path / "tracks.csv", "id,lon,lat,time\n" + "\n".join(rows) + "\n")
    patrols = read_layer(path, "patrols")
    assert patrols["id"].tolist() == ["R1", "R1", "R2"]
    assert patrols["source_row"].tolist() == [1, 4, 6]
    assert [len(g.coords) for g in patrols.geometry] == [3, 2, 2]
    assert patrols["visits_per_day"].tolist() == pytest.approx([1 / 4.0] * 3)
    assert patrols["mode"].tolist() == ["foot"] * 3


def test_patrol_point_tracks_need_time(tmp_path):
    path = write_text(tmp_path / "tracks.csv", "id,lon,lat\nR1,70.0,40.0\n")
    with pytest.raises(SchemaError, match="required column time is missing"):
        read_layer(path, "patrols")


# --------------------------------------------------------------------------- near the border


def test_layer_far_from_border_with_swapped_hint(tmp_path):
    border = read_layer(border_frame(), "border")
    path = sensors_csv(tmp_path, ["A,40.02,70.0,2000,0.8", "B,70.02,40.001,2000,0.8"])
    sensors = read_layer(path, "sensors")
    with pytest.raises(InputError) as err:
        check_near_border(sensors, border, kind="sensors", source="sensors.csv")
    message = str(err.value)
    assert "sensors.csv, layer sensors: 1 of 2 features lie more than 100 km" in message
    assert "swapped" in str(err.value.problems[0])
    assert "(rows 1)" in message
    assert "longitude and latitude look swapped" in message
    assert "row 1: lies about" in message


def test_layer_far_from_border_without_hint():
    border = read_layer(border_frame(), "border")
    far = [Point(75.0, 45.0 + i * 0.01) for i in range(12)]
    sensors = read_layer(
        gpd.GeoDataFrame({"range_m": [1000.0] * 12, "pd": [0.5] * 12}, geometry=far, crs=4326),
        "sensors",
    )
    with pytest.raises(InputError) as err:
        check_near_border(sensors, border, kind="sensors", source="x.gpkg", max_distance_km=50)
    message = str(err.value)
    assert "x.gpkg, layer sensors: 12 of 12 features lie more than 50 km" in message
    assert "and 2 more" in message
    assert "swapped" not in message
    assert [p.row for p in err.value.problems] == [None, *range(1, 11)]


def test_lines_are_near_if_any_vertex_is_near():
    border = read_layer(border_frame(), "border")
    roads = read_layer(
        gpd.GeoDataFrame(
            {"name": ["long", "far"]},
            geometry=[
                LineString([(70.05, 40.01), (75.0, 45.0)]),
                LineString([(75.0, 45.0), (76.0, 45.0)]),
            ],
            crs=4326,
        ),
        "roads",
    )
    with pytest.raises(InputError, match=r"1 of 2 features.*\(rows 2\)"):
        check_near_border(roads, border, kind="roads", source="roads.gpkg")
    kept = clip_to_border(roads, border, max_distance_km=100)
    assert kept["name"].tolist() == ["long"]
    assert kept.index.tolist() == [0]
    assert len(roads) == 2


def test_near_layers_pass():
    border = read_layer(border_frame(), "border")
    sensors = read_layer(sensors_frame(), "sensors")
    check_near_border(sensors, border, kind="sensors", source="s.gpkg", max_distance_km=5)


def test_clip_settlements():
    border = read_layer(border_frame(), "border")
    towns = read_layer(
        gpd.GeoDataFrame(
            {"name": ["near", "far"], "population": [1200, 50000]},
            geometry=[Point(70.05, BORDER_LAT + 0.3), Point(70.05, BORDER_LAT + 3)],
            crs=4326,
        ),
        "settlements",
    )
    assert clip_to_border(towns, border, max_distance_km=50)["name"].tolist() == ["near"]


# --------------------------------------------------------------------------- inputs untouched


def test_input_file_and_frame_not_modified(tmp_path):
    frame = sensors_frame("EPSG:32642")
    frame.loc[0, "status"] = "PLANNED"
    frame.index = [10, 20, 30]
    before = frame.copy()
    out = read_layer(frame, "sensors")
    pd.testing.assert_frame_equal(frame, before)
    assert frame.crs == before.crs
    assert out.index.tolist() == [0, 1, 2]

    path = write(frame, tmp_path / "sensors.gpkg")
    shp = quiet_write(frame, tmp_path / "sensors.shp")
    csv = sensors_csv(tmp_path, ["A,70.02,40.005,2000,0.8"])
    hashes = {p: digest(p) for p in (path, shp, csv)}
    for p in hashes:
        read_layer(p, "sensors")
    assert {p: digest(p) for p in hashes} == hashes


@pytest.mark.parametrize("limit_km", [0.3, 2.0, 20.0])
def test_clip_agrees_with_exact_line_distance(limit_km):
    from surveil.geodesy import LineIndex

    rng = np.random.default_rng(7)
    lon = rng.uniform(69.5, 70.6, 3000)
    lat = rng.uniform(39.6, 40.4, 3000)
    border = read_layer(border_frame(), "border")
    points = gpd.GeoDataFrame(
        {"name": [str(i) for i in range(3000)]}, geometry=gpd.points_from_xy(lon, lat), crs=4326
    )
    kept = clip_to_border(points, border, max_distance_km=limit_km)
    xy = shapely.get_coordinates(border.geometry.iloc[0])
    exact = LineIndex([(xy[:, 0], xy[:, 1])]).distance(lon, lat, max_distance_m=limit_km * 1000)
    assert kept["name"].astype(int).tolist() == np.flatnonzero(np.isfinite(exact)).tolist()


# --------------------------------------------------------------------------- large layers


def _incidents_text(n, seed=3):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "date": (
                pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
            ).strftime("%Y-%m-%d"),
            "type": rng.choice(["crossing", "Smuggling", " other "], n),
            "persons": rng.integers(1, 5, n).astype(str),
            "outcome": rng.choice(["apprehended", "evaded", ""], n),
            "lon": rng.uniform(69.5, 70.5, n).round(6).astype(str),
            "lat": rng.uniform(39.5, 40.5, n).round(6).astype(str),
        }
    )
    frame.loc[n // 2, "lon"] = ""  # blank coordinates: row n // 2 + 1 has no geometry
    frame.loc[n // 2, "lat"] = ""
    return frame


def test_large_layer_reports_exactly_its_few_bad_rows(tmp_path):
    n = 20_000
    frame = _incidents_text(n)
    frame.loc[4, "persons"] = "two"  # row 5
    frame.loc[12_344, "type"] = "robbery"  # row 12345
    frame.loc[n - 2, "date"] = "2024-02-30"  # row 19999
    path = tmp_path / "incidents.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        read_layer(path, "incidents")
    problems = err.value.problems
    assert [(p.row, p.field) for p in problems] == [
        (5, "persons"),
        (n // 2 + 1, None),
        (12_345, "type"),
        (n - 1, "date"),
    ]
    assert str(problems[0]).endswith("persons is 'two'; expected a whole number of persons")
    assert "has no geometry" in str(problems[1])
    assert "type is 'robbery'; expected one of crossing" in str(problems[2])
    assert "date is '2024-02-30'; expected an ISO date" in str(problems[3])


def test_large_layer_reads_every_row_as_a_small_one(tmp_path):
    n = 20_000
    frame = _incidents_text(n, seed=5)
    frame.loc[n // 2, ["lon", "lat"]] = ["70.1", "40.1"]
    frame.loc[7, "persons"] = " 3 "
    frame.loc[8, "persons"] = ""
    big = tmp_path / "big.csv"
    frame.to_csv(big, index=False)
    out = read_layer(big, "incidents")
    assert len(out) == n
    assert out["persons"].iloc[7:9].tolist() == [3, 1]
    assert set(out["type"]) == {"crossing", "smuggling", "other"}
    assert set(out["outcome"]) == {"apprehended", "evaded", ""}
    for start in (0, 9_990, n - 10):  # the same rows read on their own agree
        small = tmp_path / f"small{start}.csv"
        frame.iloc[start : start + 10].to_csv(small, index=False)
        part = read_layer(small, "incidents")
        whole = out.iloc[start : start + 10].reset_index(drop=True)
        for column in ("date", "type", "persons", "outcome"):
            assert whole[column].tolist() == part[column].tolist()
        assert shapely.equals_exact(whole.geometry.values, part.geometry.values, 0).all()
