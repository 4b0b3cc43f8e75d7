"""``surveil report`` and the report of every output folder, in the CLI and in Chromium."""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveil import i18n
from surveil.cli.main import cli

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "demo"
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_demo_folder_has_the_report(demo_out):
    page = (demo_out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Gap assessment report" in page
    summary = json.loads((demo_out / "summary.json").read_text())
    km = i18n.number(summary["km_assessed"], "en", 1)
    assert f'Km assessed</td><td class="n">{km}</td>' in page
    assert page.count("<svg") >= 5  # 2 sections along the chainage, classes, gaps, costs


def test_report_command_rewrites_it_in_russian(demo_out, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_out, folder)
    before = _digests(folder)
    result = CliRunner().invoke(cli, ["report", str(folder), "--lang", "ru"])
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "Основные показатели" in page
    after = _digests(folder)
    assert {k for k in before if before[k] != after[k]} == {"report.html"}


def test_report_command_out_file_and_overwrite_accepts_it(demo_out, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_out, folder)
    result = CliRunner().invoke(
        cli, ["report", str(folder), "--lang", "ru", "--out", str(folder / "report-ru.html")]
    )
    assert result.exit_code == 0, result.output
    assert '<html lang="ru">' in (folder / "report-ru.html").read_text(encoding="utf-8")
    # the folder is still surveil's: --overwrite may replace it
    again = CliRunner().invoke(cli, ["demo", "--out", str(folder), "--overwrite"])
    assert again.exit_code == 0, again.output


def test_report_command_reads_a_plan_folder(demo_out, tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(demo_out, folder)
    (folder / "budget_curve.csv").write_text(
        "step,option,method,capex_eur,opex_eur_per_year,risk_reduced_persons_per_year,"
        "km_lifted_to_target,gap_km_remaining\n"
        "0,-1,greedy,0,0,0,0,89.3\n1,7,greedy,60000,9000,12.5,10.0,79.3\n"
    )
    (folder / "sites.csv").write_text(
        "order,type,gap_id,units,capex_eur,opex_eur_per_year,gain_persons_per_year\n"
        "1,camera_tower,3,1,60000,9000,12.5\n"
    )
    result = CliRunner().invoke(cli, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text(encoding="utf-8")
    plan = page.split('id="rep_plan"')[1].split("</section>")[0]
    assert "What a budget buys" in plan and "<svg" in plan
    assert "Day/night camera tower" in plan and '<td class="n">60,000</td>' in plan


def test_plan_folder_report_shows_the_plan(tmp_path):
    runner = CliRunner()
    made = runner.invoke(cli, ["generate", "--border-km", "20", "--sensors", "5",
                               "--incidents", "100", "--out", str(tmp_path / "g")])  # fmt: skip
    assert made.exit_code == 0, made.output
    planned = runner.invoke(cli, ["plan", str(tmp_path / "g" / "scenario.toml"), "--budget",
                                  "100000", "--out", str(tmp_path / "p"), "-q"])  # fmt: skip
    assert planned.exit_code == 0, planned.output
    page = (tmp_path / "p" / "report.html").read_text(encoding="utf-8")
    plan = page.split('id="rep_plan"')[1].split("</section>")[0]
    assert "What a budget buys" in plan and "<svg" in plan
    with (tmp_path / "p" / "sites.csv").open() as fh:
        sites = sum(1 for _ in fh) - 1
    assert sites > 0 and plan.count("<tr>") == min(sites, 60) + 1  # header, one row per site


def test_report_command_on_a_foreign_folder_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a surveil output folder" in result.output and "Traceback" not in result.output


def test_pdf_without_chromium_exits_2(demo_out, tmp_path, monkeypatch):
    folder = tmp_path / "demo"
    shutil.copytree(demo_out, folder)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = CliRunner().invoke(cli, ["report", str(folder), "--pdf"])
    assert result.exit_code == 2, result.output
    assert "no Chromium found" in result.output and "Traceback" not in result.output
    assert not (folder / "report.pdf").exists()


# ------------------------------------------------------------------ browser


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--enable-logging=stderr", "--log-level=0", "--virtual-time-budget=3000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ]  # fmt: skip
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


def _load(page: Path, tmp_path: Path) -> tuple[str, list[str], list[str]]:
    """Open a page; return its DOM, console messages and the URLs it asked for."""
    netlog = tmp_path / f"{page.stem}-net.json"
    done = _chromium([f"--log-net-log={netlog}", "--dump-dom", page.as_uri()], tmp_path)
    console = re.findall(r"CONSOLE[:(]\d+\)?\] (.*)", done.stderr)
    log = json.loads(netlog.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = sorted({  # what the page asked for; Chromium's own requests have no origin
        e["params"]["url"] for e in log["events"]
        if e["type"] == start_job and e["params"].get("initiator") != "not an origin"
        and not e["params"].get("url", "file:").startswith(("file:", "data:"))
    })  # fmt: skip
    return done.stdout, console, urls


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed")
def test_loading_finds_console_errors_and_requests(tmp_path):
    # the check itself: a page that logs and loads is caught
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body><img src="http://192.0.2.1/x.png"><script>console.error("boom")</script>'
    )
    _, console, urls = _load(page, tmp_path)
    assert any("boom" in c for c in console)
    assert "http://192.0.2.1/x.png" in urls


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed")
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_report_loads_with_no_console_message_and_no_request(demo_out, lang, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(demo_out, folder)
    assert CliRunner().invoke(cli, ["report", str(folder), "--lang", lang]).exit_code == 0
    dom, console, urls = _load(folder / "report.html", tmp_path)
    assert console == [] and urls == []
    assert f'<html lang="{lang}">' in dom and dom.count("<svg") >= 5
    if lang == "ru":
        text = re.sub(r"<(style|title|svg)\b.*?</\1>", " ", dom, flags=re.S)
        text = re.sub(r'<(\w+)[^>]*translate="no"[^>]*>.*?</\1>', " ", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
        allowed = {"EUR", "UTC", "SHA", "surveil", "data", "README", "md", "corrected", "observed"}
        assert set(re.findall(r"[A-Za-z]{2,}", text)) - allowed == set()


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium installed")
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_pdf_and_screenshots_of_the_pages(demo_out, lang, tmp_path):
    pdfium = pytest.importorskip("pypdfium2")
    folder = tmp_path / "demo"
    shutil.copytree(demo_out, folder)
    result = CliRunner().invoke(cli, ["report", str(folder), "--lang", lang, "--pdf"])
    assert result.exit_code == 0, result.output
    pdf = folder / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"report-{lang}-p*.png"):
        old.unlink()
    document = pdfium.PdfDocument(pdf)
    try:
        pages = len(document)
        assert 6 <= pages <= 20
        for number in range(pages):
            page = document[number]
            width_pt, height_pt = page.get_size()
            assert (round(width_pt), round(height_pt)) == (595, 842)  # A4 in points
            shot = ARTIFACTS / f"report-{lang}-p{number + 1:02d}.png"
            page.render(scale=1.5).to_pil().save(shot)
            assert shot.stat().st_size > 10_000
    finally:
        document.close()
