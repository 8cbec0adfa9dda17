"""The season report opened in headless Chromium: it renders, draws every chart and diagram,
logs no console error and asks the network for nothing.

Chromium is Debian's ``chromium`` package, which ``make test`` installs when it is missing.
Outside CI (``CI`` unset) a machine without it skips these tests, saying why; in CI a missing
browser fails them. Every request the browser makes goes through a recording proxy on
127.0.0.1, loopback included, so a request for anything at all -- a font, a script, an image --
is caught; the page itself is a file and needs none.
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from govflow.report import render_html, season_report
from govflow.season import run_season

BROWSER = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser") if shutil.which(name)), None
)
TIMEOUT = 90  # seconds for one browser run; a hung browser fails the test, it does not stall it

if BROWSER is None:
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is not installed (make test installs it)")
    pytestmark = pytest.mark.skip(
        reason="chromium is not installed (make test installs Debian's chromium package)"
    )

#: Added to a copy of the page only: measures what the browser drew, into the dumped DOM.
PROBE = """<script>
window.addEventListener("load", () => {
  const boxes = [...document.querySelectorAll("svg")].map((svg) => {
    const box = svg.getBoundingClientRect();
    const drawn = [...svg.querySelectorAll("polyline, path, rect")]
      .filter((shape) => { const b = shape.getBBox(); return b.width > 0 || b.height > 0; });
    return `${svg.getAttribute("class")}:${Math.round(box.width)}x${Math.round(box.height)}:` +
      drawn.length;
  });
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = boxes.join("\\n");
  document.body.appendChild(out);
});
</script>"""


#: Chromium's own services, which it calls whatever it shows (component updates, sign-in):
#: not the page's requests. Anything else reaching the proxy is.
BROWSER_SERVICES = ("update.googleapis.com", "accounts.google.com", "clients2.google.com")


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def _record(self) -> None:
        if not any(service in self.path for service in BROWSER_SERVICES):
            self.seen.append(f"{self.command} {self.path}")
        self.send_error(403)

    do_GET = do_POST = do_HEAD = do_CONNECT = _record  # noqa: N815  (http.server's names)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002  (the base's name)
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    """A proxy on 127.0.0.1 refusing and recording every request sent to it."""
    seen: list[str] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    engine, result = run_season(issues=300, days=28, seed=11)
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(season_report(engine, result)), encoding="utf-8")
    return path


def chromium(
    page: Path, proxy: str, profile: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    command = [
        BROWSER,
        "--headless",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--no-pings",
        (
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,"
            "MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater"
        ),
        f"--user-data-dir={profile}",
        f"--proxy-server=http://{proxy}",
        "--proxy-bypass-list=<-loopback>",  # loopback through the proxy too
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,3000",
        *arguments,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the raw (filtered) scanlines of a PNG file."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height = struct.unpack(">II", header[:8])
    return width, height, zlib.decompress(b"".join(chunks))


def test_the_report_renders_in_a_screenshot(
    page: Path, proxy: tuple[str, list[str]], tmp_path: Path
) -> None:
    address, seen = proxy
    shot = tmp_path / "report.png"
    run = chromium(page, address, tmp_path / "profile", f"--screenshot={shot}")
    assert shot.exists(), run.stderr[-2000:]
    width, height, pixels = png_pixels(shot)
    assert (width, height) == (1280, 3000)
    assert len(set(pixels)) > 50, "the screenshot is blank"
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    assert seen == [], f"the page asked the network for {seen}"


def test_the_proxy_catches_a_page_that_asks_the_network(
    proxy: tuple[str, list[str]], tmp_path: Path
) -> None:
    address, seen = proxy
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!DOCTYPE html><html><body><img src="http://example.invalid/logo.png"></body></html>',
        encoding="utf-8",
    )
    chromium(leaky, address, tmp_path / "profile", "--dump-dom")
    assert any("example.invalid" in request for request in seen), seen


def test_every_chart_and_diagram_is_drawn(
    page: Path, proxy: tuple[str, list[str]], tmp_path: Path
) -> None:
    address, seen = proxy
    probed = tmp_path / "probed.html"
    probed.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    run = chromium(probed, address, tmp_path / "profile", "--dump-dom")
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found is not None, run.stderr[-2000:]
    svgs = [line.split(":") for line in found.group(1).strip().splitlines()]
    charts = [s for s in svgs if s[0] == "chart"]
    diagrams = [s for s in svgs if s[0] == "diagram"]
    assert len(charts) == 4  # arrivals and completions, backlog, on time, streets
    assert len(diagrams) >= 4  # one per method
    for kind, size, shapes in svgs:
        shown_width, shown_height = map(int, size.split("x"))
        assert shown_width > 100, (kind, size)
        assert shown_height > 50, (kind, size)
        assert int(shapes) > 0, (kind, "nothing drawn")
    assert [line for line in run.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line] == []
    assert seen == []
