"""The KPI report: self-contained, offline, rendered by a real headless browser without console errors."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from revenue_warehouse.pipeline.publish import publish
from revenue_warehouse.outputs.report import write_report

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]


@pytest.fixture(scope="module")
def report(clean_warehouse: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    published = out / "published.duckdb"
    publish(clean_warehouse[1], published)
    return write_report(published, out / "site")


def test_report_is_self_contained_with_charts(report: Path) -> None:
    page = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no CDN or remote asset: works offline"
    assert "<script" not in page
    assert page.count("<svg") >= 10, "charts, not just tables"
    assert "Revenue per head" in page and "MRR bridge" in page and "Data quality" in page


def test_report_renders_in_headless_chromium_without_console_errors(report: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    flags = CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console_errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console_errors == []
    assert dom.stdout.count("<svg") >= 10
    assert len(re.findall(r'<path d="M[0-9.]+,[0-9.]+ L', dom.stdout)) >= 10, "the line charts were drawn"
    shot = tmp_path / "report.png"
    screenshot = subprocess.run(
        [chromium, *flags, "--window-size=1400,2400", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert screenshot.returncode == 0 and shot.stat().st_size > 50_000, "a rendered page, not a blank one"
