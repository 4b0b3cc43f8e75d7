"""Build the example maps in maps/: both sample datasets, in English and Russian.

Each dataset is assessed once with its scenario file's parameters; the
output folder is written to a temporary folder and its map redrawn in each
language from the folder alone, as ``surveil map FOLDER --lang LANG`` does.
Run from the repo root: ``python scripts/make_maps.py``; it prints each file
and its size. The maps are self-contained HTML (no network needed).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "maps"
DATASETS = ("kgz-tjk", "tjk-afg")
LANGS = ("en", "ru")


def surveil(*args: str) -> None:
    """Run the surveil command line, stopping on any failure."""
    subprocess.run([sys.executable, "-m", "surveil", "-q", *args], check=True, cwd=ROOT)


def main() -> None:
    """Write maps/<dataset>-<lang>.html for every sample dataset and language."""
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for dataset in DATASETS:
            folder = Path(tmp) / dataset
            surveil("demo", "--dataset", dataset, "--out", str(folder))
            for lang in LANGS:
                target = OUT / f"{dataset}-{lang}.html"
                surveil("map", str(folder), "--lang", lang, "--out", str(target))
                print(f"{target.relative_to(ROOT)}  {target.stat().st_size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
