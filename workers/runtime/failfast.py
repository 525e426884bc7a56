"""Exit the worker, uncommitted, when a record fails for a reason that is not the record's fault.

Faust acknowledges the record an agent is on in a `finally` around its `yield`, so an exception
that escapes an agent acknowledges a record that was never processed, and the next commit (there
is one on every shutdown) moves past it: the record is lost. Failures that are the record's own
are dead-lettered by the steps; anything else that escapes (the process pool broken or stopped, a
bug in the wiring) ends the process at once, like a SIGKILL, which the fault tests show loses
nothing: the record is re-read from the last commit after the restart.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

log = logging.getLogger(__name__)

#: The worker's exit status after a fail-fast exit (EX_SOFTWARE): the supervisor should restart it.
EXIT_STATUS = 70


@contextlib.contextmanager
def exit_on_failure(stage: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # the cause is on the log line itself (the dead-letter guard's is the whole story)
        log.critical("exiting without committing: %s failed for a reason that is not the record's: %s: %s",
                     stage, type(exc).__name__, exc, exc_info=True, extra={"stage": stage})
        for handler in logging.getLogger().handlers:
            handler.flush()
        sys.stderr.flush()
        os._exit(EXIT_STATUS)
