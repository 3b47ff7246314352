"""A real Apache Kafka 4.x broker (KRaft, one combined broker+controller node) on loopback, for the tests
and benchmarks that must prove what the embedded Tansu broker cannot: a log kept on disk across a restart,
consumer-group rebalancing as Apache Kafka does it, the idempotent producer.

Its jars come from Maven Central: ``deploy/kafka/pom.xml`` names ``kafka_2.13`` (the version lives there
once) and ``mvn dependency:copy-dependencies`` copies it with its runtime dependencies into a cache outside
git (``~/.cache/policywatch/kafka-<version>/libs``, or under ``XDG_CACHE_HOME``), fetched once per
machine. ``ApacheKafka`` formats a log dir (``kafka.tools.StorageTool format --standalone``, what
kafka-storage.sh runs), starts ``kafka.Kafka`` with the machine's Java 17+ and a 512 MB heap on two free
loopback ports (clients, controller), waits until it answers a metadata request, and stops it.
``kill()`` then ``start()`` is a crash and restart on the same ports and log dir.

Without Java or Maven, ``KafkaUnavailable`` says what to install.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
POM = REPO_ROOT / "deploy" / "kafka" / "pom.xml"
INSTALL_HINT = (
    "install Java 17+ and Maven (Debian: apt-get install openjdk-17-jre-headless maven) with Maven Central "
    "reachable, so deploy/kafka/pom.xml can fetch the Apache Kafka jars"
)
JVM_OPTIONS = ("-Xmx512m", "-Xms128m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true")

# Broker settings for one node on a small shared machine: tiny internal topics, no group-join delay,
# a short broker session so a restart after a crash is not held up by its own stale registration.
SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers={host}:{controller_port}
listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}
advertised.listeners=PLAINTEXT://{host}:{port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs={log_dir}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
broker.session.timeout.ms=2000
broker.heartbeat.interval.ms=500
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
log.segment.bytes=16777216
"""

LOG4J2_PROPERTIES = """\
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.out.ref = out
"""


class KafkaUnavailable(RuntimeError):
    """Apache Kafka cannot be run on this machine; the message says what to install."""


def kafka_version() -> str:
    """The version the pom names (``<kafka.version>``): the one place it is set."""
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text(encoding="utf-8"))
    if match is None:
        raise KafkaUnavailable(f"{POM} names no <kafka.version>")
    return match.group(1).strip()


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "policywatch"


def java_binary() -> str:
    """The ``java`` to run (JAVA_HOME's, else the one on PATH), checked to be 17 or newer."""
    home = os.environ.get("JAVA_HOME", "")
    java = str(Path(home) / "bin" / "java") if home and (Path(home) / "bin" / "java").exists() else shutil.which("java")
    if not java:
        raise KafkaUnavailable(f"no java found: {INSTALL_HINT}")
    probe = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    match = re.search(r'version "(\d+)', probe.stderr + probe.stdout)
    if match is None or int(match.group(1)) < 17:
        raise KafkaUnavailable(f"{java} is not Java 17 or newer ({probe.stderr.strip()[:80]!r}): {INSTALL_HINT}")
    return java


def fetch_jars(version: str | None = None) -> Path:
    """The folder of Kafka's jars, fetched from Maven Central on first use (then kept in the cache)."""
    version = version or kafka_version()
    target = cache_root() / f"kafka-{version}" / "libs"
    if (target / ".complete").exists():
        return target
    mvn = shutil.which("mvn")
    if not mvn:
        raise KafkaUnavailable(f"no mvn found: {INSTALL_HINT}")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="libs-", dir=target.parent))
    command = [mvn, "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
               f"-Dkafka.version={version}", f"-DoutputDirectory={staging}"]
    log.info("fetching Apache Kafka %s jars: %s", version, " ".join(command))
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    jars = sorted(p.name for p in staging.glob("*.jar"))
    if done.returncode != 0 or not any(name.startswith("kafka_2.13-") for name in jars):
        shutil.rmtree(staging, ignore_errors=True)
        raise KafkaUnavailable(
            f"mvn could not fetch Apache Kafka {version} (exit {done.returncode}): "
            f"{(done.stdout + done.stderr).strip()[-600:]}; {INSTALL_HINT}"
        )
    if not any(name.startswith("log4j-slf4j") for name in jars):
        shutil.rmtree(staging, ignore_errors=True)
        raise KafkaUnavailable(f"no log4j2 SLF4J binding among the jars of {POM}: the broker would log nothing")
    (staging / ".complete").write_text("\n".join(jars) + "\n", encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, base64url without padding (Kafka's ``Uuid`` text form).

    It may start with "-": pass it as ``--cluster-id=<id>``, never as a separate argument, or the
    tool's argument parser takes it for an option."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")


class ApacheKafka:
    """One Apache Kafka node in ``workdir`` (config, log dir, broker.log); a context manager."""

    def __init__(self, workdir: Path, jars: Path | None = None, host: str = "127.0.0.1",
                 log_level: str = "INFO") -> None:
        self.workdir = workdir
        self.jars = jars or fetch_jars()
        self.java = java_binary()
        self.host = host
        self.port = free_port(host)
        self.controller_port = free_port(host)
        self.log_dir = workdir / "data"
        self.log_file = workdir / "broker.log"
        self._log_level = log_level
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _java(self, main_class: str, *args: str, log_level: str) -> list[str]:
        log_config = self.workdir / f"log4j2-{log_level.lower()}.properties"
        log_config.write_text(LOG4J2_PROPERTIES.format(level=log_level), encoding="utf-8")
        return [self.java, *JVM_OPTIONS, f"-Dlog4j2.configurationFile={log_config}",
                "-cp", f"{self.jars}/*", main_class, *args]

    def _format(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "server.properties"
        config.write_text(SERVER_PROPERTIES.format(
            host=self.host, port=self.port, controller_port=self.controller_port, log_dir=self.log_dir,
        ), encoding="utf-8")
        if not (self.log_dir / "meta.properties").exists():
            done = subprocess.run(
                self._java("kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id()}", "--standalone",
                           "-c", str(config), log_level="WARN"),
                capture_output=True, text=True, timeout=120, check=False,
            )
            if done.returncode != 0:
                raise KafkaUnavailable(f"kafka.tools.StorageTool format failed: {done.stdout}{done.stderr}"[-800:])
        return config

    def start(self, timeout_s: float = 120.0) -> ApacheKafka:
        """Start (or start again, on the same ports and log dir) and wait until it answers clients."""
        config = self._format()
        with self.log_file.open("ab") as out:
            self._process = subprocess.Popen(
                self._java("kafka.Kafka", str(config), log_level=self._log_level),
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        started = time.monotonic()
        deadline = started + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise KafkaUnavailable(f"kafka.Kafka exited with code {self._process.returncode}: {self._tail()}")
            if self._answers():
                log.info("Apache Kafka on %s (pid %d) ready in %.1fs", self.bootstrap, self._process.pid,
                         time.monotonic() - started)
                return self
            time.sleep(0.2)
        self.stop()
        raise KafkaUnavailable(f"Apache Kafka did not answer on {self.bootstrap} within {timeout_s:g}s: {self._tail()}")

    def _answers(self) -> bool:
        """True once the broker serves metadata with itself registered (not merely an open port)."""
        from kafka import KafkaAdminClient
        from kafka.errors import KafkaError

        try:
            with socket.create_connection((self.host, self.port), timeout=0.2):
                pass
            admin = KafkaAdminClient(bootstrap_servers=[self.bootstrap], request_timeout_ms=2000)
        except (OSError, KafkaError):
            return False
        try:
            return bool(admin.describe_cluster().get("brokers"))
        except KafkaError:
            return False
        finally:
            admin.close()

    def _tail(self, chars: int = 1500) -> str:
        try:
            return self.log_file.read_text("utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def kill(self) -> None:
        """A crash: SIGKILL, no clean shutdown (what is on disk is what a real crash leaves)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=30)
        self._process = None

    def stop(self, timeout_s: float = 30.0) -> None:
        """A clean shutdown (SIGTERM), killed if it takes longer than ``timeout_s``."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)
        self._process = None

    def __enter__(self) -> ApacheKafka:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
