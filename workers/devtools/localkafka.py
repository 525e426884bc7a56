"""A real single-node Apache Kafka (KRaft) for development and tests, run from its Maven jars.

No Docker engine is needed: Maven resolves `kafka_2.13` from Maven Central into a cache once
(`deploy/kafka/pom.xml`), the storage is formatted for KRaft, and the combined broker+controller
runs on loopback on free ports with a temporary log dir and a small heap. Reads no environment:
the jar cache comes from the caller (`Settings.kafka_home`, `NEWS_INGEST_KAFKA_HOME`), else the default.
"""

from __future__ import annotations

import base64
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from types import TracebackType

KAFKA_VERSION = "3.9.1"
POM = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "pom.xml"
READY_LINE = "Kafka Server started"

_LOG4J = """\
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={log}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
"""


# JVM options of the development broker, which shares a developer's or CI machine with the worker,
# its pool and the tests. A fresh broker spends most of its CPU on JIT compilation and G1's
# concurrent threads, not on requests: in bench.dedup_kafka on 2 cores (jstack, 95 s into a run),
# the C2 and C1 compilers had used 6.1 s and 2.0 s of CPU and G1's concurrent and GC threads 3.1 s,
# the request handlers and network threads about 5 s; the broker took 40-64 % of a core (top).
# C1 only (`TieredStopAtLevel=1`) and the serial collector cut that overhead: in interleaved runs
# of bench.dedup_kafka (30,000 records, 2026-12-03) the worker went from 815 and 939 records/s
# (0.79 and 0.85 x offline) to 1,042 and 1,126 (1.14 and 0.96 x). A production broker is tuned by
# its operator (deploy/kafka takes KAFKA_HEAP_OPTS and KAFKA_OPTS); this one only has to be light.
DEV_BROKER_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


class KafkaSetupError(RuntimeError):
    """The local broker cannot be set up here; the message says what to install or change."""


def default_home() -> Path:
    """Where the jars are cached when the caller names no directory."""
    return Path.home() / ".cache" / "news-ingest" / f"kafka-{KAFKA_VERSION}"


def _require(tool: str, hint: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise KafkaSetupError(f"`{tool}` was not found on PATH; {hint}")
    return found


# Jars a complete cache holds: the broker, and Kafka's console clients (`kafka-tools`: the console consumer).
# A cache resolved before a jar joined the pom lacks it and is resolved again.
REQUIRED_JARS = (f"kafka_2.13-{KAFKA_VERSION}.jar", f"kafka-tools-{KAFKA_VERSION}.jar")


def fetch_jars(home: Path | None = None) -> Path:
    """Resolve the broker's jars with Maven (cached in ~/.m2 and `home`); return the lib dir."""
    lib = (home or default_home()) / "lib"
    if all((lib / jar).exists() for jar in REQUIRED_JARS):
        return lib
    _require("java", "install a JDK >= 17 (Debian: apt-get install openjdk-17-jre-headless)")
    mvn = _require("mvn", "install Maven (Debian: apt-get install maven) or set KAFKA_BOOTSTRAP_SERVERS")
    if not POM.exists():
        raise KafkaSetupError(f"{POM} is missing: the local broker needs the source checkout")
    partial = lib.with_name("lib.partial")
    shutil.rmtree(partial, ignore_errors=True)
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies", f"-Dkafka.version={KAFKA_VERSION}",
         f"-DoutputDirectory={partial}", "-DincludeScope=runtime"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise KafkaSetupError(f"Maven could not resolve Kafka {KAFKA_VERSION}:\n{result.stdout[-3000:]}")
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    return lib


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _jaas_value(text: str) -> str:
    """A JAAS option value in double quotes (the PLAIN login module's user table)."""
    if any(c in text for c in '"\\;\n'):
        raise ValueError("SASL user names and passwords here must not contain quotes, backslashes or ';'")
    return f'"{text}"'


class LocalKafka:
    """One KRaft broker+controller on loopback. `stop()`/`start()` again keeps its data (restart tests).

    `sasl_users` ({user: password}) adds a second client listener, SASL_PLAINTEXT with the PLAIN
    mechanism, on `sasl_bootstrap_servers`; the PLAINTEXT listener stays for the broker itself. With
    `tls_keystore` (a PEM file holding the broker's private key and certificate chain) that listener
    is SASL_SSL instead: TLS, then SASL. `home` is the jar cache (see `fetch_jars`).
    """

    def __init__(self, *, heap_mb: int = 512, workdir: Path | None = None,
                 sasl_users: dict[str, str] | None = None, tls_keystore: Path | None = None,
                 home: Path | None = None) -> None:
        self.heap_mb = heap_mb
        self.home = home
        self.sasl_users = dict(sasl_users or {})
        if tls_keystore is not None and not self.sasl_users:
            raise ValueError("tls_keystore secures the SASL listener: pass sasl_users too")
        self.tls_keystore = tls_keystore
        self.sasl_port = free_port() if self.sasl_users else None
        self._own_dir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="news-ingest-kafka-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.controller_port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._formatted = False

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap_servers(self) -> str:
        if self.sasl_port is None:
            raise RuntimeError("this broker has no SASL listener (pass sasl_users)")
        return f"127.0.0.1:{self.sasl_port}"

    def _sasl_props(self) -> dict[str, str]:
        """The SASL_PLAINTEXT listener: PLAIN users inline in server.properties (no JAAS file)."""
        users = " ".join(f"user_{name}={_jaas_value(password)}" for name, password in self.sasl_users.items())
        return {
            "sasl.enabled.mechanisms": "PLAIN",
            "listener.name.sasl.plain.sasl.jaas.config":
                f"org.apache.kafka.common.security.plain.PlainLoginModule required {users};",
        }

    @property
    def log_file(self) -> Path:
        return self.workdir / "broker.log"

    def _write_config(self) -> Path:
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.workdir / "data"),
            "num.partitions": "4",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "message.max.bytes": str(64 * 1024 * 1024 + 1024),
            "replica.fetch.max.bytes": str(64 * 1024 * 1024 + 1024),
            "log.retention.hours": "24",
        }
        if self.sasl_port is not None:
            sasl = f"SASL://127.0.0.1:{self.sasl_port}"
            props["listeners"] += f",{sasl}"
            props["advertised.listeners"] += f",{sasl}"
            protocol = "SASL_SSL" if self.tls_keystore else "SASL_PLAINTEXT"
            props["listener.security.protocol.map"] += f",SASL:{protocol}"
            props.update(self._sasl_props())
        if self.tls_keystore is not None:
            props.update({"ssl.keystore.type": "PEM", "ssl.keystore.location": str(self.tls_keystore),
                          "ssl.client.auth": "none"})
        path = self.workdir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        (self.workdir / "log4j.properties").write_text(_LOG4J.format(log=self.log_file))
        return path

    def _java(self, lib: Path, *args: str) -> list[str]:
        return [_require("java", "install a JDK >= 17"), f"-Xmx{self.heap_mb}m", f"-Xms{self.heap_mb // 2}m",
                *DEV_BROKER_JVM_OPTIONS,
                f"-Dlog4j.configuration=file:{self.workdir / 'log4j.properties'}",
                "-cp", f"{lib}/*", *args]

    def start(self, timeout: float = 90.0) -> LocalKafka:
        lib = fetch_jars(self.home)
        config = self._write_config()
        if not self._formatted:
            # `--cluster-id=<id>` in one argument: an id may begin with "-" (1 in 64), which StorageTool
            # read as an option after `-t` and failed (seen in bench.dedup_kafka, 2026-12-03)
            subprocess.run(self._java(lib, "kafka.tools.StorageTool", "format", f"--cluster-id={_cluster_id()}",
                                      "-c", str(config), "--ignore-formatted"),
                           check=True, capture_output=True)
            self._formatted = True
        started_at = self.log_file.stat().st_size if self.log_file.exists() else 0
        with (self.workdir / "stdout.log").open("ab") as stdout:  # the broker has its own copy: ours closes now
            self._process = subprocess.Popen(self._java(lib, "kafka.Kafka", str(config)),
                                             stdout=stdout, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(started_at, timeout)
        return self

    def _wait_ready(self, offset: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise KafkaSetupError(f"Kafka exited with {self._process.returncode}; see {self.log_file}")
            if self.log_file.exists():
                with self.log_file.open("rb") as log:
                    log.seek(offset)
                    if READY_LINE.encode() in log.read():
                        return
            time.sleep(0.2)
        self.stop()
        raise KafkaSetupError(f"Kafka did not start within {timeout:.0f} s; see {self.log_file}")

    def stop(self, timeout: float = 30.0) -> None:
        """Controlled shutdown (SIGTERM), escalating to SIGKILL if the broker hangs."""
        if self._process is None or self._process.poll() is not None:
            self._process = None
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> LocalKafka:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as StorageTool makes)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
