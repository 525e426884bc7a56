"""Worker processes for tests: real `news-ingest worker` subprocesses against the real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from pydantic import SecretStr

from workers.devtools.localkafka import free_port
from workers.settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that reproduces `settings` in a child process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWS_INGEST_", "KAFKA_"))}
    env["KAFKA_BOOTSTRAP_SERVERS"] = settings.kafka_bootstrap_servers or ""
    for name, value in settings.model_dump(exclude={"kafka_bootstrap_servers"}).items():
        if value is None:
            continue
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        # Kafka connection settings use the conventional KAFKA_* names (their first alias).
        aliases = getattr(Settings.model_fields[name].validation_alias, "choices", None)
        env[str(aliases[0]) if aliases else f"NEWS_INGEST_{name.upper()}"] = text
    return env


class WorkerProcess:
    """One `news-ingest worker` process with its own data dir, web port and log file."""

    def __init__(self, settings: Settings, workdir: Path, *, stages: str | None = None, name: str = "w") -> None:
        self.web_port = free_port()
        self.settings = settings.model_copy(update={"data_dir": workdir / f"data-{name}", "web_port": self.web_port})
        self.log_path = workdir / f"worker-{name}.log"
        self.stages = stages
        self.process: subprocess.Popen[bytes] | None = None
        self.stopped = False  # set when the test itself stopped or killed it

    def start(self) -> WorkerProcess:
        argv = [sys.executable, "-m", "workers", "worker"]
        if self.stages:
            argv += ["--stages", self.stages]
        with self.log_path.open("ab") as log:  # the worker has its own copy of the file: ours closes now
            self.process = subprocess.Popen(argv, env=settings_env(self.settings), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group (worker and its pool processes), as a crash would."""
        self.stopped = True
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopped = True
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return True
            time.sleep(0.2)
        return False
