"""Faults for the `vertebra` processes the fault tests start (this folder is on their
PYTHONPATH, never on the suite's own).

VERTEBRA_TEST_PAUSE_AT: after the first SQL statement containing this text, create the file
VERTEBRA_TEST_PAUSE_FILE and stop there (the test kills the process with SIGKILL).
VERTEBRA_TEST_SLOW_AT: sleep VERTEBRA_TEST_SLOW_SECONDS after every statement containing this
text (a long dump, as with a thousand cities, in a few seconds of test); with
VERTEBRA_TEST_SLOW_FILE, append each sleep's start and end (time.monotonic(), which every
process of the machine shares) to that file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = os.environ.get("VERTEBRA_TEST_PAUSE_AT", "")
SLOW_AT = os.environ.get("VERTEBRA_TEST_SLOW_AT", "")

if PAUSE_AT or SLOW_AT:
    from django.db.backends import utils

    _execute = utils.CursorWrapper._execute_with_wrappers

    def _faulty(self, sql, params, many, executor):  # type: ignore[no-untyped-def]
        result = _execute(self, sql, params, many, executor)
        if PAUSE_AT and PAUSE_AT in sql:
            Path(os.environ["VERTEBRA_TEST_PAUSE_FILE"]).touch()
            while True:
                time.sleep(60)
        if SLOW_AT and SLOW_AT in sql:
            began = time.monotonic()
            time.sleep(float(os.environ.get("VERTEBRA_TEST_SLOW_SECONDS", "1")))
            if os.environ.get("VERTEBRA_TEST_SLOW_FILE"):
                with open(os.environ["VERTEBRA_TEST_SLOW_FILE"], "a") as record:
                    record.write(f"{began} {time.monotonic()}\n")
        return result

    utils.CursorWrapper._execute_with_wrappers = _faulty
