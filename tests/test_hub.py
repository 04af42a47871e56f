"""A real JupyterHub on loopback with deploy/jupyterhub/'s config: a class of 10 runs a lesson at the same time.

The Hub, configurable-http-proxy (from npm) and every student's server are real processes; the students'
notebooks run through the Hub's proxy as JupyterLab runs them (the kernel's WebSocket). Test-only settings
(a dummy authenticator with one shared password, the local process spawner, loopback ports) are added on top
of the deployed config in a file of the test's own. Prints the measured figures; bounded in time; stops
everything it started.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import websocket

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STUDENTS = [f"student{n:02d}" for n in range(1, 11)]
LESSON = "02_first_cors_error.ipynb"  # two real servers, a live_browser page, three exercises
CELL_TIMEOUT = 120.0


def proxy_command() -> str:
    """configurable-http-proxy: $CONFIGURABLE_HTTP_PROXY, else the one `make test` installs, else on PATH."""
    for candidate in (
        os.environ.get("CONFIGURABLE_HTTP_PROXY"),
        str(ROOT / ".venv/node/node_modules/.bin/configurable-http-proxy"),
        shutil.which("configurable-http-proxy"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        "no configurable-http-proxy: run the tests with `make test` (it installs it with npm), or "
        "npm install -g configurable-http-proxy",
        pytrace=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Hub:
    url: str
    admin: httpx.Client
    process: subprocess.Popen
    password: str
    started_in: float
    tokens: dict[str, str] = field(default_factory=dict)
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **options: Any) -> httpx.Client:
        """An HTTP client of the Hub, closed with the Hub."""
        client = httpx.Client(base_url=self.url, timeout=60, **options)
        self.clients.append(client)
        return client

    def as_user(self, name: str) -> httpx.Client:
        return self.client(headers={"Authorization": f"token {self.tokens[name]}"})


@pytest.fixture(scope="module")
def hub(tmp_path_factory) -> Iterator[Hub]:
    work = tmp_path_factory.mktemp("hub")
    port, hub_port, api_port = free_port(), free_port(), free_port()
    admin_token, password = secrets.token_hex(32), secrets.token_urlsafe(16)
    (work / "test_config.py").write_text(
        f"""
c = get_config()
load_subconfig({str(ROOT / "deploy/jupyterhub/jupyterhub_config.py")!r})
# --- for this test only: loopback, a shared password, students as processes of this user ---
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]
c.ConfigurableHTTPProxy.pid_file = {str(work / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{work / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(work / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(work / "home" / "{username}")!r}
c.Spawner.cmd = [{str(BIN / "cors-lab")!r}, "singleuser"]
c.JupyterHub.services = [{{"name": "class-admin", "api_token": {admin_token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "class-admin",
    "scopes": ["admin:users", "admin:servers", "admin:server_state", "tokens", "list:users"],
    "services": ["class-admin"],
}}]
"""
    )
    log = open(work / "jupyterhub.log", "wb")
    started = time.monotonic()
    process = subprocess.Popen(
        [BIN / "jupyterhub", "-f", work / "test_config.py"],
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
    )
    url = f"http://127.0.0.1:{port}"
    admin = httpx.Client(base_url=url, headers={"Authorization": f"token {admin_token}"}, timeout=60)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (work / "jupyterhub.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the Hub did not start in 60 s"
            try:
                if admin.get("/hub/api/").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        hub = Hub(url, admin, process, password, time.monotonic() - started)
        yield hub
        for client in hub.clients:
            client.close()
    finally:
        servers = [p for name in STUDENTS for p in _server_processes(admin, name)]
        for name in STUDENTS:
            try:
                admin.delete(f"/hub/api/users/{name}/server")
            except httpx.HTTPError:
                pass
        process.send_signal(signal.SIGTERM)  # the Hub stops its servers and its proxy as it exits
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        for leftover in servers:
            if leftover.is_running():
                leftover.kill()
        admin.close()
        log.close()


def _server_processes(admin: httpx.Client, name: str) -> list[psutil.Process]:
    try:
        state = admin.get(f"/hub/api/users/{name}", params={"include_stopped_servers": "0"}).json()
        pid = state["servers"][""]["state"]["pid"]
        server = psutil.Process(pid)
        return [server, *server.children(recursive=True)]
    except (KeyError, TypeError, ValueError, httpx.HTTPError, psutil.Error):
        return []


# --- running a notebook through the Hub, as JupyterLab does -----------------------------------------------


class Kernel:
    """A student's kernel, reached through the Hub's proxy and the kernel's WebSocket."""

    def __init__(self, hub: Hub, name: str, path: str) -> None:
        client = hub.as_user(name)
        session = client.post(
            f"/user/{name}/api/sessions", json={"path": path, "type": "notebook", "kernel": {"name": "python3"}}
        )
        session.raise_for_status()
        kernel_id = session.json()["kernel"]["id"]
        self.socket = websocket.create_connection(
            f"{hub.url.replace('http', 'ws')}/user/{name}/api/kernels/{kernel_id}/channels",
            header=[f"Authorization: token {hub.tokens[name]}"],
            timeout=CELL_TIMEOUT,
        )
        self.session = uuid.uuid4().hex

    def run(self, code: str) -> tuple[str, list[dict]]:
        """Execute one cell; its reply status and its outputs in the notebook format."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "session": self.session, "username": "", "msg_type": "execute_request"}
        self.socket.send(
            json.dumps(
                {
                    "header": {**header, "version": "5.3", "date": ""},
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {"code": code, "silent": False, "store_history": True, "allow_stdin": False},
                    "buffers": [],
                }
            )
        )
        outputs: list[dict] = []
        status, idle = None, False
        deadline = time.monotonic() + CELL_TIMEOUT
        while status is None or not idle:
            assert time.monotonic() < deadline, f"a cell ran past {CELL_TIMEOUT} s: {code[:80]!r}"
            message = json.loads(self.socket.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind in ("execute_result", "display_data"):
                outputs.append({"output_type": kind, "data": content["data"]})
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"], "evalue": content["evalue"]})
        return status, outputs

    def close(self) -> None:
        self.socket.close()


def sanitizer() -> list[tuple[re.Pattern[str], str]]:
    """The same masks nbval applies (ports, dates, tokens), read from the course's own nbval file."""
    config = configparser.ConfigParser()
    config.read(ROOT / "notebooks/nbval-sanitize.cfg")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def comparable(outputs: list[dict], masks: list[tuple[re.Pattern[str], str]]) -> list[str]:
    """What nbval compares: the text of streams and results (not widget ids or HTML styling), masked."""
    texts: list[str] = []
    previous = None
    for output in outputs:
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else text
        stream = output.get("name") if output["output_type"] == "stream" else None
        if stream is not None and stream == previous:  # the kernel sends a stream in pieces; notebooks join them
            texts[-1] += text
            continue
        previous = stream
        texts.append(text)
    for pattern, replacement in masks:
        texts = [pattern.sub(replacement, text) for text in texts]
    return texts


@dataclass
class Run:
    name: str
    kernel: Kernel
    cells: list[dict]
    failures: list[str] = field(default_factory=list)
    ports: list[tuple[str, int]] = field(default_factory=list)
    seconds: float = 0.0

    def execute(self, cells: list[dict], masks) -> None:
        started = time.monotonic()
        for cell in cells:
            status, outputs = self.kernel.run("".join(cell["source"]))
            if status != "ok" or any(o["output_type"] == "error" for o in outputs):
                self.failures.append(f"{self.name}: cell {cell['source'][:1]} failed: {outputs}")
            elif comparable(outputs, masks) != comparable(cell["outputs"], masks):
                self.failures.append(
                    f"{self.name}: cell {''.join(cell['source'])[:60]!r} printed "
                    f"{comparable(outputs, masks)} instead of {comparable(cell['outputs'], masks)}"
                )
        self.seconds += time.monotonic() - started


def test_a_class_of_ten_runs_a_lesson_at_once_each_on_their_own_server(hub):
    print(f"\nHub and proxy up in {hub.started_in:.1f} s")
    assert hub.admin.post("/hub/api/users", json={"usernames": STUDENTS}).status_code == 201

    # Every student's server at once, as at the start of a class.
    started = time.monotonic()
    with ThreadPoolExecutor(len(STUDENTS)) as pool:  # the Hub answers a start request once it is up, or after 10 s
        codes = list(pool.map(lambda name: hub.admin.post(f"/hub/api/users/{name}/server").status_code, STUDENTS))
    assert set(codes) <= {201, 202}, codes
    for name in STUDENTS:
        hub.tokens[name] = hub.admin.post(f"/hub/api/users/{name}/tokens", json={"note": "test"}).json()["token"]
    ready: dict[str, float] = {}
    while len(ready) < len(STUDENTS):
        assert time.monotonic() - started < 180, f"servers not ready in 180 s: {set(STUDENTS) - set(ready)}"
        for name in set(STUDENTS) - set(ready):
            if (hub.admin.get(f"/hub/api/users/{name}").json()["servers"].get("") or {}).get("ready"):
                ready[name] = time.monotonic() - started
        time.sleep(0.5)
    print(f"10 servers started together: all ready after {max(ready.values()):.1f} s")

    # Each has the course in its own folder, opening on notebook 00.
    for name in STUDENTS:
        listing = hub.as_user(name).get(f"/user/{name}/api/contents").json()
        assert LESSON in {item["name"] for item in listing["content"]}
    committed = json.loads((ROOT / "notebooks" / LESSON).read_text())["cells"]
    code = [c for c in committed if c["cell_type"] == "code"]
    stop = next(i for i, c in enumerate(code) if "cors_lab.stop_all()" in "".join(c["source"]))
    masks = sanitizer()
    runs = [Run(name, Kernel(hub, name, LESSON), code) for name in STUDENTS]
    probe = "import json, cors_lab\nprint(json.dumps([[s.name, s.port] for s in cors_lab.running_servers()]))"

    def up_to_the_end(run: Run) -> None:
        run.execute(code[:stop], masks)
        status, outputs = run.kernel.run(probe)
        assert status == "ok", outputs
        run.ports = [tuple(pair) for pair in json.loads(outputs[0]["text"])]

    began = time.monotonic()
    with ThreadPoolExecutor(len(runs)) as pool:
        list(pool.map(up_to_the_end, runs))
    print(f"The lesson ran in 10 notebooks at once: {time.monotonic() - began:.1f} s for all of them")

    # While every notebook's servers are still running: no port is shared between two students.
    owners: dict[int, str] = {}
    for run in runs:
        assert run.ports, f"{run.name} has no lesson server running"
        for _, port in run.ports:
            assert port not in owners, f"port {port} is used by both {owners[port]} and {run.name}"
            owners[port] = run.name

    # live_browser's page through jupyter-server-proxy: open to its student, closed to everyone else.
    alice, bob = runs[0], runs[1]
    pages = [port for name, port in alice.ports if name.endswith("-frontend")]
    assert pages, f"no live_browser page among {alice.name}'s servers: {alice.ports}"
    page_port = pages[-1]
    mine = hub.as_user(alice.name).get(f"/user/{alice.name}/proxy/{page_port}/")
    assert mine.status_code == 200 and "fetch" in mine.text
    for path in (f"proxy/{page_port}/", "api/contents", "api/kernels", "lab"):
        theirs = hub.as_user(bob.name).get(f"/user/{alice.name}/{path}")
        assert theirs.status_code == 403, (path, theirs.status_code)
        anonymous = httpx.get(f"{hub.url}/user/{alice.name}/{path}")
        assert anonymous.status_code in (302, 403), (path, anonymous.status_code)

    memory = []
    for name in STUDENTS:
        processes = _server_processes(hub.admin, name)
        assert len(processes) >= 2, f"{name}: no server and kernel found"
        memory.append(sum(p.memory_full_info().uss for p in processes) / 2**20)
    print(
        f"Memory per student (server + kernel + lesson servers, unique pages): mean {sum(memory) / len(memory):.0f} MB,"
        f" max {max(memory):.0f} MB; the machine has {os.cpu_count()} cores"
    )

    with ThreadPoolExecutor(len(runs)) as pool:
        list(pool.map(lambda run: run.execute(code[stop:], masks), runs))
    for run in runs:
        run.kernel.close()
    failures = [failure for run in runs for failure in run.failures]
    assert failures == [], "\n".join(failures[:5])
    print(f"Each notebook: {min(r.seconds for r in runs):.1f} to {max(r.seconds for r in runs):.1f} s")


def _server_ready(hub: Hub, name: str, timeout: float = 120) -> None:
    """Create the student and start their server, unless done already; wait until the Hub says it is ready."""
    hub.admin.post(f"/hub/api/users/{name}")  # 409 when the student exists: fine
    state = hub.admin.get(f"/hub/api/users/{name}").json()["servers"].get("") or {}
    if not state:
        hub.admin.post(f"/hub/api/users/{name}/server")
    deadline = time.monotonic() + timeout
    while not (hub.admin.get(f"/hub/api/users/{name}").json()["servers"].get("") or {}).get("ready"):
        assert time.monotonic() < deadline, f"{name}'s server was not ready in {timeout:.0f} s"
        time.sleep(0.5)


def test_students_log_in_with_the_password_and_reach_only_their_own_server(hub):
    # On its own (another worker, or -k) this test has a Hub of its own, with no server started yet.
    for name in STUDENTS[2:4]:
        _server_ready(hub, name)
    browser = hub.client(follow_redirects=True)
    login = browser.get("/hub/login")
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', login.text)
    form = {"username": STUDENTS[2], "password": hub.password, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
    wrong = hub.client(cookies=browser.cookies).post("/hub/login", data={**form, "password": "not-the-password"})
    assert wrong.status_code == 403 or "Invalid username or password" in wrong.text
    assert browser.post("/hub/login", data=form).status_code == 200
    own = browser.get(f"/user/{STUDENTS[2]}/lab/tree/00_start_here.ipynb")
    assert own.status_code == 200 and "JupyterLab" in own.text
    other = browser.get(f"/user/{STUDENTS[3]}/lab")
    assert other.status_code == 403
