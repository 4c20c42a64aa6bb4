"""The HTML forms in a real headless browser: printed to PDF on A4, one page or more, the text
there. Chromium comes from the OS packages (.ci/run installs Debian's); without it the test skips
and says why."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from thidua_rules.cli import main

REPO = Path(__file__).resolve().parent.parent
TAYNINH = REPO / "examples" / "vpubnd-tayninh-2023"


def _chromium() -> str:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium; apt-get install chromium)")


def _browser(html: Path, tmp: Path, *flags: str) -> subprocess.CompletedProcess[bytes]:
    command = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}", *flags, html.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, timeout=120, check=False)


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


def _text(pdf: Path, html: Path, tmp: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              timeout=60, check=True).stdout
    return _browser(html, tmp, "--dump-dom").stdout.decode("utf-8")  # the page as the browser built it


@pytest.mark.parametrize("kind", ["unit", "standings"])
def test_the_html_prints_on_a4(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _chromium()
    html = tmp_path / f"{kind}.html"
    argv = (["score", str(TAYNINH / "tong-hop.json")] if kind == "unit"
            else ["rank", "vpubnd-tayninh-2023", str(TAYNINH)])
    assert main([*argv, "--format", "html", "-o", str(html)]) == 0
    pdf, png = tmp_path / f"{kind}.pdf", tmp_path / f"{kind}.png"
    done = _browser(html, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert done.returncode == 0 and pdf.exists(), done.stderr[-600:]
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = _pages(pdf)
    # the unit's form: 38 rows with long titles, flags and assumptions: several A4 landscape pages;
    # the standings of 7 units: one page
    assert pages >= 3 if kind == "unit" else pages == 1
    text = " ".join(_text(pdf, html, tmp_path).split())
    if kind == "unit":
        for wanted in ("Phòng Tổng hợp", "Nội dung tiêu chí", "952,5", "mức trần 150 đ", "THỦ TRƯỞNG ĐƠN VỊ"):
            assert wanted in text, wanted
    else:
        for wanted in ("Phòng Kinh tế", "980", "952,5", "Cờ thi đua xuất sắc", "Bằng khen"):
            assert wanted in text, wanted
    shot = _browser(html, tmp_path, "--window-size=1123,794", f"--screenshot={png}")
    assert shot.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png.read_bytes()[16:24]) == (1123, 794)  # the first page's width × height
