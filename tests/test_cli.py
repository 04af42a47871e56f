"""The `cors-lab` command, run as a real subprocess."""

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import cors_lab
from cors_lab import demo_api, serve

CLI = Path(sys.executable).parent / "cors-lab"


def _pump(process: subprocess.Popen, lines: queue.Queue[str]) -> None:
    try:
        for line in process.stdout:  # type: ignore[union-attr]
            lines.put(line)
    except ValueError:  # the test closed the pipe once the process had ended
        pass


def stop(process: subprocess.Popen, signal_number: int = signal.SIGINT, timeout: float = 40) -> int:
    """Send a signal (Ctrl-C by default), wait for the exit code, and close the output pipe."""
    process.send_signal(signal_number)
    try:
        return process.wait(timeout)
    finally:
        if process.stdout is not None:
            process.stdout.close()


def read_until(process: subprocess.Popen, pattern: str, timeout: float) -> re.Match:
    """Read the process's output until a line matches; fail with what it printed if it does not.

    A thread does the reading: select() on a buffered pipe misses lines already in Python's buffer.
    """
    lines: queue.Queue[str] = queue.Queue()
    if not hasattr(process, "lines"):
        process.lines = lines  # type: ignore[attr-defined]
        threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = process.lines.get(timeout=left)  # type: ignore[attr-defined]
        except queue.Empty:
            break
        seen.append(line)
        if match := re.search(pattern, line):
            return match
    raise AssertionError(f"no line matched {pattern!r} in:\n{''.join(seen)}")


def test_version_and_help_from_the_console_script():
    version = subprocess.run([CLI, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == f"cors-lab {cors_lab.__version__}"
    for flag in ("--help", "-h"):
        shown = subprocess.run([CLI, flag], capture_output=True, text=True, check=True, env={"COLUMNS": "100"})
        assert "Usage: cors-lab" in shown.stdout and "lab" in shown.stdout and "Example:" in shown.stdout


def test_unknown_command_is_a_usage_error():
    wrong = subprocess.run([CLI, "nonsense"], capture_output=True, text=True)
    assert wrong.returncode == 2
    assert "No such command 'nonsense'" in wrong.stderr


def test_lab_copies_the_course_and_opens_notebook_00_on_loopback_with_token_auth(tmp_path, request):
    env = {**os.environ, "BROWSER": "true", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_PORT": "0"}
    folder = tmp_path / "my course"
    process = subprocess.Popen(
        [CLI, "lab", "--dir", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        match = read_until(
            process, r"^    (http://localhost:\d+)/lab/tree/00_start_here\.ipynb\?token=(\w+)$", timeout=90
        )
        base, token = match.groups()
        time.sleep(2)
        assert process.lines.empty(), "the URL is the last thing printed"  # type: ignore[attr-defined]
        assert (folder / "00_start_here.ipynb").is_file()
        assert httpx.get(f"{base}/api/contents").status_code == 403  # no token, no entry
        api = httpx.Client(base_url=base, headers={"Authorization": f"token {token}"})
        request.addfinalizer(api.close)
        listing = api.get("/api/contents")
        assert listing.status_code == 200
        names = sorted(item["name"] for item in listing.json()["content"])
        assert names == sorted(p.name for p in (Path(cors_lab.__file__).parents[1] / "notebooks").glob("0*.ipynb"))
        assert api.get("/files/images/jupyterlab-playground.png").status_code == 200  # hidden, still served
        page = httpx.get(match.group(0).strip(), follow_redirects=True)
        assert page.status_code == 200 and "JupyterLab" in page.text
        notification = api.get("/lab/api/settings/@jupyterlab/apputils-extension:notification").json()
        assert notification["schema"]["properties"]["fetchNews"]["default"] == "false"  # no news pop-up
    finally:
        assert stop(process) == 0  # Ctrl-C: cors-lab stops Jupyter cleanly
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/api/contents")


def test_cors_lab_alone_starts_the_lab_on_the_course_in_the_current_folder(tmp_path):
    env = {**os.environ, "BROWSER": "true", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_PORT": "0"}
    process = subprocess.Popen(
        [CLI], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        read_until(process, r"^    http://localhost:\d+/lab/tree/00_start_here\.ipynb\?token=\w+$", timeout=90)
        assert (tmp_path / "cors-lab-course" / "00_start_here.ipynb").is_file()
    finally:
        assert stop(process) == 0


def test_lab_with_a_file_for_its_folder_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("")
    done = subprocess.run([CLI, "lab", "--dir", str(tmp_path / "notes.txt")], capture_output=True, text=True)
    assert done.returncode == 2
    assert f"--dir {tmp_path / 'notes.txt'} is a file, not a folder" in done.stderr
    assert "Traceback" not in done.stderr


# --- check ------------------------------------------------------------------------------------------

PAGE = "http://localhost:3000"


def run_cli(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=60, env={**os.environ, **(env or {})}
    )


@pytest.fixture
def api():
    server = serve(demo_api(allow_origins=[PAGE], allow_methods=["GET", "PUT"]), name="cli-test-api")
    yield server
    server.stop()


def test_check_allowed_exits_0_and_shows_the_exchange(api):
    done = run_cli("check", f"{api.url}/users", "--origin", PAGE)
    assert done.returncode == 0, done.stderr
    assert f"GET {api.url}/users from a page at {PAGE}" in done.stdout
    assert f"* access-control-allow-origin: {PAGE}" in done.stdout
    assert "ALLOWED: the page's fetch() resolves with status 200" in done.stdout


def test_check_blocked_exits_1_with_console_message_and_fix(api):
    done = run_cli("check", f"{api.url}/users/1", "-X", "DELETE", "--origin", PAGE)
    assert done.returncode == 1
    assert "-> preflight OPTIONS" in done.stdout and "<- 400 Bad Request" in done.stdout
    assert "BLOCKED (PreflightInvalidStatus)" in done.stdout
    assert (
        "console: Access to fetch at '" + f"{api.url}/users/1' from origin '{PAGE}' has been blocked by CORS "
        "policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok "
        "status."
    ) in done.stdout
    assert "fix: In CORSMiddleware, add 'DELETE' to allow_methods." in done.stdout
    assert "came from CORSMiddleware" in done.stdout
    assert "\x1b[" not in done.stdout  # no colour codes when not a terminal


def test_check_json_output_parses(api):
    done = run_cli(
        "check",
        f"{api.url}/users/1",
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "--data",
        '{"name": "x"}',
        "--origin",
        "http://evil.example",
        "--json",
    )
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["allowed"] is False and result["error_code"] == "PreflightMissingAllowOriginHeader"
    assert [e["kind"] for e in result["exchanges"]] == ["preflight"]
    assert result["exchanges"][0]["status"] == 400
    allowed = json.loads(run_cli("check", f"{api.url}/users", "--origin", PAGE, "--json").stdout)
    assert allowed["allowed"] is True and allowed["status"] == 200 and allowed["readable_headers"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["check", "http://127.0.0.1:1/users", "--origin", "localhost:3000"],
            "--origin 'localhost:3000' has no scheme",
        ),
        (
            ["check", "http://127.0.0.1:1/users", "--origin", PAGE, "-H", "nonsense"],
            "-H 'nonsense' is not 'Name: value'",
        ),
        (["check", "localhost:8000/users", "--origin", PAGE], "write it as 'http://localhost:8000/users'"),
        (["check", "http://127.0.0.1:1/users"], "Missing option '--origin'"),
        (["check", "http://127.0.0.1:1/", "--origin", PAGE, "--frobnicate"], "--frobnicate"),
        (["check", "/users", "--origin", PAGE], "'/users' is a relative URL: in a page, fetch('/users') goes to"),
        (["check", "http://127.0.0.1:1/", "-o", PAGE, "--cookie", "s=1"], "--cookie needs --credentials"),
        (["check", "http://127.0.0.1:1/", "-o", PAGE, "--timeout", "0"], "--timeout 0.0 is not a positive number"),
        (["check", "--frontend", "nowhere.json"], "--frontend 'nowhere.json' does not exist"),
    ],
)
def test_check_usage_errors_exit_2_without_a_traceback(args, message):
    done = run_cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_check_unreachable_exits_3():
    done = run_cli("check", "http://127.0.0.1:1/users", "--origin", PAGE)
    assert done.returncode == 3 and "cannot reach http://127.0.0.1:1/users" in done.stderr
    as_json = run_cli("check", "http://127.0.0.1:1/users", "--origin", PAGE, "--json")
    assert as_json.returncode == 3 and json.loads(as_json.stdout)["verdict"] == "unreachable"


CHECKED_APP = """
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse


def build(**cors):
    app = FastAPI()

    @app.get("/me")
    def me(request: Request):
        return {"session": request.cookies.get("session")}

    @app.put("/me")
    def update(request: Request):
        return {}

    app.add_middleware(CORSMiddleware, **cors)
    return app


public = build(allow_origins=["*"])
reflecting = build(allow_origins=["*"], allow_credentials=True, allow_methods=["*"])
sound = build(allow_origins=["http://localhost:3000"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])
letters = build(allow_origins=["http://localhost:3000"], allow_methods=["*"], allow_headers="Content-Type")
nullable = build(allow_origins=["null"])
shop = build(
    allow_origins=["http://localhost:3000"],
    allow_credentials=True,
    allow_methods=["GET", "PUT"],
    allow_headers=["Content-Type"],
)
guarded = build(allow_origins=["http://localhost:3000"], allow_methods=["*"])
slashed = build(allow_origins=["http://localhost:3000/"], allow_credentials=True)


@guarded.middleware("http")
async def require_token(request, call_next):
    if "authorization" not in request.headers:
        return JSONResponse({"detail": "Not authenticated"}, status_code=401)
    return await call_next(request)
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "checked.py").write_text(CHECKED_APP)
    return tmp_path


def test_check_reflected_origin_with_credentials_is_dangerous_exit_4(project):
    with subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "checked:reflecting", "--port", "0", "--host", "127.0.0.1"],
        cwd=project,
        stderr=subprocess.PIPE,
        text=True,
    ) as live:
        try:
            url = None
            for line in live.stderr:
                if match := re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line):
                    url = match.group(1)
                    break
            assert url, "uvicorn did not start"
            done = run_cli("check", f"{url}/me", "--origin", PAGE, "--credentials")
            assert done.returncode == 4, done.stdout + done.stderr
            assert "ALLOWED, AND DANGEROUS" in done.stdout and "any website" in done.stdout
            as_json = json.loads(run_cli("check", f"{url}/me", "-o", PAGE, "--credentials", "--json").stdout)
            assert as_json["verdict"] == "allowed-but-dangerous" and as_json["exit_code"] == 4
            assert "https://evil.example" in as_json["dangerous"]
        finally:
            live.terminate()
            live.wait(10)


def test_check_in_process_a_sound_app_with_a_cookie(project):
    done = run_cli(
        "check", "/me", "--app", "checked:sound", "-o", PAGE, "--credentials", "--cookie", "session=abc", cwd=project
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The browser's steps:" in done.stdout
    # api.testserver is cross-site from localhost: the browser keeps its third-party cookie to itself
    assert "Cookie: session=abc" not in done.stdout
    same_site = run_cli(
        "check",
        "http://localhost:8000/me",
        "--app",
        "checked:sound",
        "-o",
        PAGE,
        "--credentials",
        "--cookie",
        "session=abc",
        "--json",
        cwd=project,
    )
    result = json.loads(same_site.stdout)
    assert result["verdict"] == "allowed" and ["Cookie", "session=abc"] in result["exchanges"][0]["request_headers"]


def test_check_text_shows_every_step_such_as_a_dropped_cookie_header(project):
    done = run_cli("check", "/me", "--app", "checked:sound", "-o", PAGE, "-H", "Cookie: session=1", cwd=project)
    assert "The browser dropped Cookie" in done.stdout


def test_check_evidence_names_who_answered_the_preflight(project):
    refused = run_cli(
        "check", "/me", "--app", "checked:letters", "-o", PAGE, "-X", "PUT", "-H", "X-Token: 1", cwd=project
    )
    assert refused.returncode == 1
    assert (
        "came from CORSMiddleware (it has its headers, and its body says 'Disallowed CORS headers')" in refused.stdout
    )
    assert "letter by letter, so allow_headers was given as a string" in refused.stdout
    guarded = run_cli("check", "/me", "--app", "checked:guarded", "-o", PAGE, "-X", "PUT", cwd=project)
    assert guarded.returncode == 1
    assert "the 401 preflight has no CORS headers: it came from authentication" in guarded.stdout


def test_check_in_process_names_the_settings_entry_that_never_matches(project):
    done = run_cli("check", "/me", "--app", "checked:slashed", "-o", PAGE, "--credentials", cwd=project)
    assert done.returncode == 1
    assert (
        "the app's settings: allow_origins entry 'http://localhost:3000/' has a path or trailing slash" in done.stdout
    )
    assert done.stdout.rstrip().splitlines()[-1].startswith("fix: Use 'http://localhost:3000'")


def test_check_the_wildcard_fix_never_lists_an_unknown_origin(project):
    done = run_cli(
        "check", "/me", "--app", "checked:public", "-o", "https://evil.example", "--credentials", cwd=project
    )
    assert done.returncode == 1 and "WildcardOriginNotAllowed" in done.stdout
    assert "allow_origins=['https://evil.example']" not in done.stdout
    assert "If https://evil.example is your own frontend, list it exactly in allow_origins" in done.stdout


def test_check_a_sandboxed_iframe_with_origin_null(project):
    done = run_cli("check", "/me", "--app", "checked:nullable", "--origin", "null", "--json", cwd=project)
    result = json.loads(done.stdout)
    assert done.returncode == 0 and result["origin"] == "null"
    assert ["Origin", "null"] in result["exchanges"][0]["request_headers"]


def test_check_a_frontends_calls_in_one_go(project):
    calls = {
        "origin": PAGE,
        "api": "http://localhost:8000",
        "calls": [
            {"method": "GET", "url": "/me", "credentials": "include"},
            {"method": "PUT", "url": "/me", "json": {"name": "a"}},
            {"method": "DELETE", "url": "/me", "expect": "blocked"},
        ],
    }
    (project / "calls.json").write_text(json.dumps(calls))
    done = run_cli("check", "--frontend", "calls.json", "--app", "checked:shop", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 of 3 calls as expected." in done.stdout
    calls["calls"][2]["expect"] = "allowed"
    (project / "calls.json").write_text(json.dumps(calls))
    failing = run_cli("check", "--frontend", "calls.json", "--app", "checked:shop", cwd=project)
    assert failing.returncode == 1 and "2 of 3 calls as expected." in failing.stdout
    assert "DELETE http://localhost:8000/me: blocked (" in failing.stdout and "fix:" in failing.stdout


# --- audit ------------------------------------------------------------------------------------------


def test_audit_an_app_by_module_and_attribute(tmp_path):
    (tmp_path / "shop.py").write_text(
        "from cors_lab import demo_api\n"
        "bad = demo_api(allow_origins=['*'], allow_credentials=True)\n"
        "good = demo_api(allow_origins=['https://shop.example'], allow_headers=['Authorization'])\n"
        "not_an_app = 42\n"
        "raise_on_import = None\n"
    )
    (tmp_path / "broken.py").write_text("raise RuntimeError('database missing')\n")
    bad = run_cli("audit", "shop:bad", cwd=tmp_path)
    assert bad.returncode == 1 and "error wildcard-with-credentials" in bad.stdout
    good = run_cli("audit", "shop:good", cwd=tmp_path)
    assert good.returncode == 0 and "No errors or warnings." in good.stdout
    as_json = json.loads(run_cli("audit", "shop:bad", "--json", cwd=tmp_path).stdout)["findings"]
    assert as_json[0]["code"] == "wildcard-with-credentials" and as_json[0]["severity"] == "error"
    assert as_json[0]["probe"].startswith("GET /users from https://evil.example with a cookie -> 200")
    for spec, message in [
        ("shop:missing", "cannot load 'shop:missing'"),
        ("nowhere:app", "cannot load 'nowhere:app'"),
        ("shop:not_an_app", "'shop:not_an_app' is int, not a FastAPI or Starlette app"),
        ("broken:app", "importing 'broken:app' failed: RuntimeError: database missing"),
    ]:
        done = run_cli("audit", spec, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr, (spec, done.stderr)
        assert "Traceback" not in done.stderr


def test_audit_a_factory_in_another_folder(tmp_path):
    project = tmp_path / "backend" / "app"
    project.mkdir(parents=True)
    (project / "__init__.py").write_text("")
    (project / "main.py").write_text(
        "from fastapi import FastAPI\n"
        "from fastapi.middleware.cors import CORSMiddleware\n"
        "def create_app():\n"
        "    app = FastAPI()\n"
        "    app.add_middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)\n"
        "    return app\n"
    )
    done = run_cli("audit", "app.main:create_app", "--factory", "--app-dir", str(tmp_path / "backend"), cwd=tmp_path)
    assert done.returncode == 1 and "wildcard-with-credentials" in done.stdout, done.stderr
    forgot = run_cli("audit", "app.main:create_app", "--app-dir", str(tmp_path / "backend"))
    assert forgot.returncode == 2 and "is a function, not an app: if it builds the app, add --factory" in forgot.stderr
    elsewhere = run_cli("audit", "app.main:create_app", "--factory", cwd=tmp_path)
    assert elsewhere.returncode == 2 and "add --app-dir FOLDER" in elsewhere.stderr


def test_audit_the_environment(tmp_path):
    clean = {name: "" for name in os.environ if "CORS" in name or "ORIGIN" in name}
    done = run_cli("audit", "--env", env={**clean, "ALLOWED_ORIGINS": "*", "ENVIRONMENT": "production"}, cwd=tmp_path)
    assert done.returncode == 1 and "production-wildcard" in done.stdout and "read ALLOWED_ORIGINS" in done.stderr
    fine = run_cli("audit", "--env", "--production", env={"ALLOWED_ORIGINS": "https://shop.example"}, cwd=tmp_path)
    assert fine.returncode == 0, fine.stdout
    neither = run_cli("audit")
    assert neither.returncode == 2 and "give either MODULE:ATTR" in neither.stderr


def test_audit_env_reads_the_projects_variable_and_invents_nothing(tmp_path):
    nothing = run_cli("audit", "--env", "--production", cwd=tmp_path, env={"ALLOWED_ORIGINS": ""})
    assert nothing.returncode == 0 and "env-no-origins" in nothing.stdout and "localhost:3000" not in nothing.stdout
    (tmp_path / ".env").write_text('BACKEND_CORS_ORIGINS=["https://app.example.com/", "http://localhost:5173"]\n')
    dotenv = run_cli("audit", "--env", "--production", cwd=tmp_path)
    assert dotenv.returncode == 1 and "read BACKEND_CORS_ORIGINS (with .env)" in dotenv.stderr
    assert "BACKEND_CORS_ORIGINS entry 'https://app.example.com/'" in dotenv.stdout
    assert "production-localhost" in dotenv.stdout
    named = run_cli("audit", "--var", "FRONTEND_ORIGINS", cwd=tmp_path, env={"FRONTEND_ORIGINS": "https://a.example"})
    assert named.returncode == 0 and "read FRONTEND_ORIGINS" in named.stderr
    other = tmp_path / "prod.env"
    other.write_text("CORS_ORIGINS=https://app.example.com\nCORS_ALLOW_METHOD=GET\n")
    implied = run_cli("audit", "--env-file", str(other), cwd=tmp_path / "..")
    assert implied.returncode == 0 and "env-near-miss" in implied.stdout, implied.stdout
    missing = run_cli("audit", "--env-file", str(tmp_path / "nope.env"))
    assert missing.returncode == 2 and "nope.env" in missing.stderr and "does not exist" in missing.stderr


# --- serve ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_backend_and_frontend_and_stops_on_ctrl_c(chromium):
    backend_port, frontend_port = free_port(), free_port()
    process = subprocess.Popen(
        [
            CLI,
            "serve",
            "--allow-origin",
            f"http://localhost:{frontend_port}",
            "--port",
            str(backend_port),
            "--frontend-port",
            str(frontend_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        read_until(process, r"Ctrl-C stops both", timeout=30)
        page = chromium.new_page()
        page.goto(f"http://localhost:{frontend_port}/")
        page.click("#send")  # the form is filled in with the backend's /users
        page.wait_for_selector("#result.ok")
        assert "resolved: status 200" in page.inner_text("#result")
        page.close()
    finally:
        assert stop(process, timeout=30) == 0
    for port in (backend_port, frontend_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_serve_port_in_use_is_a_clear_error():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        done = run_cli("serve", "--port", str(port))
    assert done.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr and "--port" in done.stderr
