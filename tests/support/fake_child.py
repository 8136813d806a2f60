"""A stand-in for the bot that the supervisor runs in tests (LIGHTSTICK_CHILD_MODULE).

Each start writes ``<FAKE_CHILD_DIR>/p<index>-<pid>.json`` with the environment and
arguments it got. ``FAKE_CHILD_EXIT_<index>=<code>`` makes process ``index`` exit with that
code at once; otherwise it waits for SIGTERM/SIGINT, writes ``….stopped`` and exits 0.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

KEYS = ("SHARD_COUNT", "SHARD_IDS", "LIGHTSTICK_PROCESS_INDEX", "METRICS_PORT")


def main() -> int:
    folder = Path(os.environ["FAKE_CHILD_DIR"])
    index = os.environ["LIGHTSTICK_PROCESS_INDEX"]
    record = folder / f"p{index}-{os.getpid()}"
    env = {key: os.environ.get(key) for key in KEYS}
    # Written whole, then renamed: the test polls the folder and must never read half a record.
    partial = record.with_suffix(".partial")
    partial.write_text(json.dumps({"env": env, "argv": sys.argv[1:], "pid": os.getpid()}))
    os.replace(partial, record.with_suffix(".json"))
    code = os.environ.get(f"FAKE_CHILD_EXIT_{index}")
    if code is not None:
        return int(code)

    def stop(signum: int, frame: FrameType | None) -> None:
        record.with_suffix(".stopped").write_text(signal.Signals(signum).name)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(60)


if __name__ == "__main__":
    sys.exit(main())
