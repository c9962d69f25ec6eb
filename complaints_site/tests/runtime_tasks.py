"""Tasks for the worker process tests only (test_worker_processes.py)."""

import os
import time
from pathlib import Path

from django.tasks import task


@task(takes_context=True)
def slow_once(context, *, folder: str, seconds: float) -> str:
    """Records each start; on its first try it takes `seconds` (time for a test to kill its worker);
    its effect, a file created only if missing, happens once however often it runs."""
    attempt = len(context.task_result.worker_ids)
    Path(folder, f"started-{attempt}").touch()
    if attempt == 1:
        time.sleep(seconds)
    try:
        descriptor = os.open(Path(folder, "effect"), os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return "already done"
    os.write(descriptor, f"done on attempt {attempt}".encode())
    os.close(descriptor)
    return "done"
