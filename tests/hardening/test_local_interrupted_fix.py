"""`doctor --fix --yes` interrupted after its first write says what was applied and what was not (issue 13,
item 9): exit 130, never "nothing was changed" when something changed, and every claim matches what the
Graph API (the sandbox) actually holds afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

from fbhub.sandbox import run_sandbox

from .support import REPO, sandbox_env

LATENCY = 0.6  # per request: writes in flight stay in flight long enough for Ctrl-C to find them there


def _break(sb) -> tuple[str, list[str]]:
    """The app webhook points at an old host, no Page is subscribed: one app write and one write per Page."""
    app_id = sb.operator.app_id
    sub = sb.world.app_subscription(app_id)
    assert sub is not None
    sub.callback_url = "https://old-cx.example.net/fb/webhook"
    for page in sb.world.pages.values():
        page.installed.pop(app_id, None)
    return app_id, [p["id"] for p in sb.operator.pages]


def test_interrupted_fix_lists_what_was_applied_and_what_was_not(isolated_env):
    with run_sandbox("many-pages", latency=LATENCY) as sb:
        app_id, pages = _break(sb)
        assert len(pages) > 8  # more Pages than parallel writers: some writes never start
        proc_box: dict[str, subprocess.Popen] = {}
        fired = threading.Event()

        def on_request(line: str) -> None:  # "POST /v24.0/111/subscribed_apps -> 200 (12 ms)"
            # Ctrl-C as the first Page subscription lands (the app webhook was written just before)
            method, path = line.split(" ")[:2]
            if method == "POST" and path.split("?")[0].endswith("/subscribed_apps") and not fired.is_set():
                fired.set()
                os.kill(proc_box["p"].pid, signal.SIGINT)

        sb.log = on_request
        env = dict(os.environ, **sandbox_env(sb))
        p = subprocess.Popen([sys.executable, "-m", "fbhub", "doctor", "--fix", "--yes", "--format", "json"],
                             env=env, cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc_box["p"] = p
        out, err = p.communicate(timeout=300)
        assert fired.is_set(), err
        time.sleep(4 * LATENCY)  # writes the server was still sleeping on land now
        sub = sb.world.app_subscription(app_id)
        app_changed = sub is not None and sub.callback_url != "https://old-cx.example.net/fb/webhook"
        landed = {pid for pid in pages if app_id in sb.world.pages[pid].installed}

    assert p.returncode == 130, err
    assert "Traceback" not in err
    assert app_changed and landed  # the interrupt came after real writes
    assert "nothing" not in err.lower(), err
    applied = [line for line in err.splitlines() if re.match(r"\s*applied: ", line)]
    unknown = [line for line in err.splitlines() if re.match(r"\s*unknown", line)]
    not_applied = [line for line in err.splitlines() if re.match(r"\s*not applied: ", line)]
    assert any("app webhook" in line for line in applied + unknown), err
    for pid in pages:
        said = [line for line in applied + unknown + not_applied if f"page {pid}" in line]
        assert len(said) == 1, (pid, err)  # every planned change is accounted for, once
        if said[0] in applied:
            assert pid in landed, (pid, err)  # "applied" is never a lie
        if said[0] in not_applied:
            assert pid not in landed, (pid, err)  # nor is "not applied"
    assert not_applied, err  # writes that never started are named as not applied
