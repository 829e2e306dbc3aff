"""Which verify token does the webhook accept, with hundreds of Pages: Page tokens asked one at a time vs. a few
at a time (``fbhub.checks.verifytoken.discover``), against a local endpoint that answers after ``--latency``
seconds and accepts only the last Page's token (the worst case). Prints wall time and requests per run.
Usage: python benchmarks/verify_token_probe.py [--pages 300] [--latency 0.05] [--workers 1,8]
"""

from __future__ import annotations

import argparse
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fbhub.checks.verifytoken import Candidate, discover


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--workers", default="1,8")
    args = ap.parse_args()
    cands = [Candidate("page-token", f"Page token #{i + 1}", f"EAAGbench{i:05d}token0123456789abcdef")
             for i in range(args.pages)]
    accepted = cands[-1].value
    asked = [0]

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            asked[0] += 1
            time.sleep(args.latency)
            body = q.get("hub.challenge", "").encode() if q.get("hub.verify_token") == accepted else b""
            self.send_response(200 if body else 403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/fb/webhook"
    print(f"{args.pages} Page tokens, {args.latency * 1000:.0f} ms per answer, the last one accepted")
    for w in (int(x) for x in args.workers.split(",")):
        asked[0] = 0
        t0 = time.monotonic()
        f = discover(url, cands, timeout=30, workers=w)
        dt = time.monotonic() - t0
        assert f.accepted is cands[-1]
        print(f"  workers={w:<3} {dt:7.2f} s  {asked[0]} requests")
    httpd.shutdown()


if __name__ == "__main__":
    main()
