import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from surveil.candidates import candidate_sites, offset_sites
from tests.conftest import border_frame, straight_line

GEOD = Geod(ellps="WGS84")


@pytest.fixture
def border():
    # Eastward 10 km line: the own side (right of chainage) is south.
    return border_frame(straight_line(10_000.0))


def test_offset_sites_stand_inside_at_their_offsets(border):
    sites = offset_sites(border, offsets_m=[500.0, 2000.0], spacing_m=1000.0)
    assert len(sites) == 20
    line = border.geometry.iloc[0]
    for offset in (500.0, 2000.0):
        mine = sites.iloc[:10] if offset == 500.0 else sites.iloc[10:]
        for point, km in zip(mine.geometry, mine["km"], strict=True):
            # Hand: the foot is km along the geodesic; the site is `offset` south of it.
            foot_lon, foot_lat, _ = GEOD.fwd(*line.coords[0], 90.0, km * 1000.0)
            _, _, dist = GEOD.inv(foot_lon, foot_lat, point.x, point.y)
            assert dist == pytest.approx(offset, abs=0.5)
            assert point.y < foot_lat
    assert sites["km"].iloc[:10].tolist() == pytest.approx(np.arange(0.5, 10, 1.0))


def test_feasibility_setback_own_side_exclusions_and_roads(border):
    line = border.geometry.iloc[0]
    lon0, lat0 = line.coords[0]
    user = gpd.GeoDataFrame(
        {"allowed_types": ["thermal_tower", "", ""], "mast_heights_m": ["20;30", "", ""]},
        geometry=[
            shapely.Point(*GEOD.fwd(lon0 + 0.05, lat0, 180.0, 50.0)[:2]),  # 50 m inside
            shapely.Point(*GEOD.fwd(lon0 + 0.05, lat0, 0.0, 1000.0)[:2]),  # other side
            shapely.Point(*GEOD.fwd(lon0 + 0.05, lat0, 180.0, 3000.0)[:2]),  # fine
        ],
        crs=4326,
    )
    # An exclusion area over the first 2 km of the own side.
    exclusion = gpd.GeoDataFrame(
        geometry=[shapely.box(lon0 - 0.01, lat0 - 0.05, lon0 + 0.0235, lat0 - 0.0001)], crs=4326
    )
    sites = candidate_sites(
        border,
        offsets_m=[500.0],
        spacing_m=1000.0,
        user=user,
        exclusions=exclusion,
        setback_m=100.0,
    )
    offsets = sites[sites["source"] == "offset"]
    assert (~offsets["feasible"].to_numpy()[:2]).all()  # km 0.5 and 1.5 excluded
    assert set(offsets["reason"].iloc[:2]) == {"inside an exclusion area"}
    assert offsets["feasible"].iloc[2:].all()
    users = sites[sites["source"] == "user"].reset_index(drop=True)
    assert users["reason"].tolist() == [
        "closer than 100 m to the line",
        "not on the own side",
        "",
    ]
    assert users["allowed_types"].iloc[0] == "thermal_tower"
    assert users["mast_heights_m"].iloc[0] == "20;30"
    # Sites face the line: north from the south side of an eastward line.
    facing = offsets["azimuth_deg"].to_numpy()
    assert np.allclose(np.minimum(facing, 360 - facing), 0.0, atol=0.1)
    # A road 1 km south of the line, with a 600 m limit: the 500 m sites are
    # 500 m from it, the 3 km user site is 2 km away.
    west = GEOD.fwd(lon0 - 0.01, lat0, 180.0, 1000.0)
    east = GEOD.fwd(lon0 + 0.2, lat0, 180.0, 1000.0)
    road = gpd.GeoDataFrame(geometry=[shapely.LineString([west[:2], east[:2]])], crs=4326)
    limited = candidate_sites(
        border, offsets_m=[500.0], spacing_m=1000.0, user=user, roads=road, max_road_m=600.0
    )
    last = limited[limited["source"] == "user"].iloc[2]
    assert last["reason"] == "farther than 600 m from a road"
    assert limited[limited["source"] == "offset"]["feasible"].all()


def test_a_site_by_a_bend_faces_both_legs():
    lon0, lat0 = 70.0, 40.0
    corner = GEOD.fwd(lon0, lat0, 90.0, 5000.0)[:2]
    end = GEOD.fwd(*corner, 0.0, 5000.0)[:2]
    border = border_frame(shapely.LineString([(lon0, lat0), corner, end]))
    sites = candidate_sites(border, offsets_m=[1000.0], spacing_m=10_000.0, bend_reach_m=3000.0)
    # One site at km 5, the corner, 1 km inside the northward leg (east of the
    # corner): it faces west to the corner, and 3 km up the other leg the line
    # lies at atan(1/3) = 18.4 degrees west of north, a second facing.
    assert len(sites) == 1
    facings = [float(a) for a in sites["azimuths_deg"].iloc[0].split(";")]
    assert facings == pytest.approx([270.0, 360 - 18.43], abs=1.0)
