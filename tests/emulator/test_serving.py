"""The emulator as a process (`python tests/emulator/server.py`): the port it reports, a port in
use refused, the parent watch (run: .venv/bin/python -m unittest discover tests/emulator)."""

import json
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
from pathlib import Path

SERVER = Path(__file__).with_name("server.py")


def start(port, port_file=None, parent_pid=None):
    args = [sys.executable, str(SERVER), "--port", str(port)]
    if port_file:
        args += ["--port-file", str(port_file)]
    if parent_pid:
        args += ["--parent-pid", str(parent_pid)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_port(port_file, proc, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_file.exists():
            return int(port_file.read_text())
        if proc.poll() is not None:
            raise AssertionError(f"emulator exited {proc.returncode}: {proc.stderr.read().decode()}")
        time.sleep(0.05)
    raise AssertionError("emulator wrote no port file")


def health(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/health", timeout=10) as resp:
        return resp.status, json.loads(resp.read() or b"{}")


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    proc.stderr.close()


class ServingTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def test_port_zero_reports_the_port_it_listens_on(self):
        port_file = Path(self.dir.name) / "port"
        proc = start(0, port_file)
        self.addCleanup(stop, proc)
        port = wait_for_port(port_file, proc)
        self.assertNotEqual(port, 0)
        status, _ = health(port)
        self.assertEqual(status, 200)

    def test_a_port_in_use_is_refused_not_shared(self):
        # The HTTP server (granian) binds with SO_REUSEPORT by itself, which lets a second
        # emulator share a port silently; the emulator makes its own plain socket instead.
        first_file = Path(self.dir.name) / "first"
        first = start(0, first_file)
        self.addCleanup(stop, first)
        port = wait_for_port(first_file, first)
        second = start(port)
        self.addCleanup(stop, second)
        try:
            code = second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.fail(f"a second emulator on port {port} kept running")
        self.assertNotEqual(code, 0)
        self.assertIn("Address already in use", second.stderr.read().decode())
        self.assertEqual(health(port)[0], 200)

    def test_accepted_connections_send_without_waiting_for_acknowledgements(self):
        # Without TCP_NODELAY each small answer on a kept-alive connection waited for the
        # client's delayed acknowledgement (about 40 ms on Linux): 280 calls a second instead
        # of 1,800 (docs/performance.md). granian sets it on sockets it makes itself, not on
        # the one the emulator hands it, so the listener carries it and Linux copies it to
        # every accepted socket. Asserted on the kernel's answer for an accepted socket.
        from server import listen

        listener = listen("127.0.0.1", 0)
        self.addCleanup(listener.close)
        self.assertFalse(listener.getblocking(), "granian's runtime needs a non-blocking listener")
        client = socket.create_connection(listener.getsockname()[:2], timeout=10)
        self.addCleanup(client.close)
        listener.setblocking(True)
        accepted, _ = listener.accept()
        self.addCleanup(accepted.close)
        self.assertEqual(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), 1)

    def test_ends_with_the_process_that_started_it(self):
        parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        port_file = Path(self.dir.name) / "port"
        proc = start(0, port_file, parent_pid=parent.pid)
        self.addCleanup(stop, proc)
        port = wait_for_port(port_file, proc)
        self.assertEqual(health(port)[0], 200)
        parent.kill()
        parent.wait()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.fail("the emulator outlived the process that started it")
        with self.assertRaises(OSError):
            health(port)


if __name__ == "__main__":
    unittest.main()
