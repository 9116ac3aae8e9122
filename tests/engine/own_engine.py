"""A Docker daemon of the tests' own, for tests that must restart an engine (never the machine's one).

Its own data root, exec root (and so its own containerd), pid file and socket under a temporary
directory, and its own bridge `dbt<run id>` so the main engine's docker0 and iptables are never touched
(`--bridge=none` must not be used: it tears down docker0). The test image is copied in with save/load.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docker
import docker.errors

from tests.engine.helpers import wait_until
from tests.testbed import RUN_ID, TEST_IMAGE


class OwnDockerd:
    """Start with `start()`, restart with `stop()` + `start()`, tear down with `close()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix=f"dockbot-{RUN_ID}-dockerd-"))
        self.url = f"unix://{self.root}/docker.sock"
        self.bridge = f"dbt{RUN_ID}"[:15]
        self._process: subprocess.Popen[bytes] | None = None
        (self.root / "daemon.json").write_text("{}")
        subprocess.run(["ip", "link", "add", "name", self.bridge, "type", "bridge"], check=True)
        subprocess.run(["ip", "addr", "add", "10.231.77.1/24", "dev", self.bridge], check=True)
        subprocess.run(["ip", "link", "set", self.bridge, "up"], check=True)

    def start(self) -> None:
        command = [
            "dockerd", "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
            "--pidfile", str(self.root / "dockerd.pid"), "-H", self.url,
            "--config-file", str(self.root / "daemon.json"), f"--bridge={self.bridge}",
            "--iptables=false", "--ip-masq=false", "--ip-forward=false",
        ]  # fmt: skip
        log = (self.root / "dockerd.log").open("ab")
        self._process = subprocess.Popen(command, stdout=log, stderr=log)
        wait_until(self._answers, timeout=30, what="the test's own dockerd to answer")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None

    def load_test_image(self, main: docker.DockerClient) -> None:
        own = self.client()
        try:
            own.images.load(b"".join(main.images.get(TEST_IMAGE).save(named=TEST_IMAGE)))
        finally:
            own.close()

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=self.url, timeout=30)

    def close(self) -> None:
        try:
            self.stop()
        finally:
            subprocess.run(["ip", "link", "del", self.bridge], check=False)
            with contextlib.suppress(OSError):
                shutil.rmtree(self.root)

    def _answers(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise AssertionError(f"own dockerd exited: {(self.root / 'dockerd.log').read_text()[-2000:]}")
        try:
            own = self.client()  # asks the daemon for its API version at once
        except docker.errors.DockerException:
            time.sleep(0.05)
            return False
        own.close()
        return True
