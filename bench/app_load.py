"""The attendee app's load: bytes transferred (compressed, as on the wire) and time to
interactive for the app shell plus the first agenda, cold (empty cache, no service worker),
warm (service worker and caches in place) and offline (airplane mode), under 4x CPU throttling
(DevTools protocol: Emulation.setCPUThrottlingRate), at 390 px; and the size of the demo event's
offline bundle. Goal (issue 9): shell + first agenda <= 250 KB, interactive <= 1 s.

    BENCH_DB_NAME=eventhub_bench_app .venv/bin/python bench/app_load.py [--runs 5] [--throttle 4]

"Interactive" is the moment the agenda's first session row is in the DOM and the app marked
itself ready (every module loaded, the bundle applied, handlers bound), measured from the
navigation's start. Bytes are the page's own requests (CDP Network.loadingFinished
encodedDataLength: headers + compressed body); answers from the service worker cost none. The
service worker's install (it fetches the app's files once, in the background) is reported
apart. Demo data is seeded in a database of its own; everything started is stopped.
"""

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agenda_read import TOKEN_SCRIPT, start  # noqa: E402
from fanout import free_port, manage, prepare_database, stop  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]  # fmt: skip
# Runs before the app's scripts (Playwright init scripts are not subject to the page's CSP):
# the session token as after a login, and a probe for the first agenda row.
PROBE = """
localStorage.setItem("eventhub.sessionToken", %s);
new MutationObserver((_, observer) => {
  if (document.querySelector("#list .session") && document.documentElement.dataset.ready === "1") {
    window.__interactive = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


SOURCES = Path(__file__).resolve().parents[1] / "static" / "app"
QR_LIBRARY = SOURCES.parent / "vendor" / "qrcode-generator" / "qrcode.mjs"


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def wait_until(page, expression: str, timeout_s: float = 60) -> None:
    # page.wait_for_function evaluates a string in the page, which the app's CSP forbids.
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {expression}")
        time.sleep(0.02)


def measure(page, cdp, url: str) -> dict:
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.goto(url)
    wait_until(page, "window.__interactive !== undefined")
    tti = page.evaluate("window.__interactive")
    page.wait_for_timeout(300)  # late finishers (the socket's handshake is not a byte of the load)
    return {"bytes": sum(sizes.values()), "requests": len(sizes), "tti_ms": round(tti, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--throttle", type=float, default=4.0)
    args = parser.parse_args()

    event_id = prepare_database()
    manage("collectstatic", "--noinput", "-v0")
    token = manage("shell", "-c", TOKEN_SCRIPT).strip().splitlines()[-1]
    port = free_port()
    logs = Path(tempfile.mkdtemp(prefix="app-load-"))
    server = start("daphne", port, logs / "daphne.log")
    base = f"http://127.0.0.1:{port}"
    url = f"{base}/app/#/e/{event_id}/agenda"
    results: dict[str, list[dict]] = {"cold": [], "warm": [], "offline": []}
    try:
        request = urllib.request.Request(  # noqa: S310 (our own server)
            f"{base}/api/v1/events/{event_id}/bundle", headers={"X-Session-Token": token, "Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
            compressed = response.read()
        bundle = json.loads(gzip.decompress(compressed))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 390, "height": 844})
                context.add_init_script(PROBE % json.dumps(token))
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
                results["cold"].append(measure(page, cdp, url))
                wait_until(page, "navigator.serviceWorker.controller !== null")
                # Warm: a new page in the same profile (caches and the service worker in place).
                for kind in ("warm", "offline"):
                    context.set_offline(kind == "offline")
                    page.close()
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": args.throttle})
                    results[kind].append(measure(page, cdp, url))
                context.close()
            browser.close()
    finally:
        stop(server)
    precache = sum(gzip_size(path) for path in SOURCES.rglob("*") if path.is_file()) + gzip_size(QR_LIBRARY)
    print(f"CPU throttling {args.throttle}x, 390 px, {args.runs} runs each (median; min–max)")
    for kind, runs in results.items():
        size = statistics.median(r["bytes"] for r in runs)
        tti = [r["tti_ms"] for r in runs]
        print(
            f"  {kind:8} {size / 1024:7.1f} KB over {statistics.median(r['requests'] for r in runs):.0f} requests, "
            f"interactive {statistics.median(tti):6.0f} ms ({min(tti):.0f}–{max(tti):.0f})"
        )
    print(f"  service worker precache (app files gzipped, fetched once in the background): {precache / 1024:.1f} KB")
    print(
        f"demo bundle (event {event_id}): {len(compressed) / 1024:.1f} KB gzip, "
        f"{len(json.dumps(bundle, separators=(',', ':')).encode()) / 1024:.1f} KB JSON; "
        f"{len(bundle['sessions'])} sessions, {len(bundle['speakers'])} speakers, {len(bundle['rooms'])} rooms"
    )


if __name__ == "__main__":
    main()
