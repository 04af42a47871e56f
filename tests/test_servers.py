import asyncio
import contextlib
import socket
import subprocess
import sys
import textwrap
import threading

import httpx
import pytest
from fastapi import FastAPI

import cors_lab
from cors_lab import PortInUseError, ServerStartError, ServerStopError, running_servers, serve


def hello_app(text: str = "hello") -> FastAPI:
    app = FastAPI()

    @app.get("/")
    def index() -> str:
        return text

    return app


def is_listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


# With pytest-xdist, other modules' fixtures may hold servers in this process: judge only this test's own.
BEFORE: dict[str, set] = {"servers": set(), "threads": set()}


def server_threads() -> list[threading.Thread]:
    """The server threads started by the running test."""
    return [t for t in threading.enumerate() if t.name.startswith("cors-lab") and t not in BEFORE["threads"]]


def started_here() -> list[cors_lab.Server]:
    return [server for server in running_servers() if server not in BEFORE["servers"]]


@pytest.fixture(autouse=True)
def no_leftover_servers(servers_started_here):
    BEFORE["servers"] = set(running_servers())
    BEFORE["threads"] = {t for t in threading.enumerate() if t.name.startswith("cors-lab")}
    yield


def test_serve_answers_real_http_on_loopback():
    server = serve(hello_app())
    try:
        assert server.running
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert httpx.get(server.url).json() == "hello"
        bound_host = socket.create_connection(("127.0.0.1", server.port))
        bound_host.close()
    finally:
        server.stop()


def test_server_binds_loopback_only():
    with serve(hello_app()) as server:
        listening = subprocess.run(["ss", "-Htln", f"sport = :{server.port}"], capture_output=True, text=True)
        if listening.returncode != 0:
            pytest.skip("ss is not available")  # pragma: no cover
        addresses = {line.split()[3] for line in listening.stdout.splitlines()}
        assert addresses == {f"127.0.0.1:{server.port}"}


def test_stop_frees_the_port_ends_the_thread_and_is_idempotent():
    server = serve(hello_app())
    port = server.port
    server.stop()
    assert not server.running
    assert not is_listening(port)
    assert server_threads() == []
    server.stop()  # a second stop is harmless
    with socket.socket() as again:  # the port can be bound again at once
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_context_manager_and_repr():
    with serve(hello_app(), name="backend") as server:
        assert repr(server) == f"<Server 'backend' http://127.0.0.1:{server.port} running>"
    assert repr(server).endswith("stopped>")
    assert server not in running_servers()


def test_swap_changes_the_app_without_changing_the_port():
    with serve(hello_app("first")) as server:
        port = server.port
        with httpx.Client(base_url=server.url) as client:  # a kept-alive connection sees the swap too
            assert client.get("/").json() == "first"
            server.swap(hello_app("second"))
            assert client.get("/").json() == "second"
        assert server.port == port


def test_serving_again_under_a_name_replaces_the_old_server():
    first = serve(hello_app("one"), name="backend")
    second = serve(hello_app("two"), name="backend")
    assert not first.running
    assert not is_listening(first.port) or first.port == second.port
    assert started_here() == [second]
    assert httpx.get(second.url).json() == "two"


def test_a_named_server_can_take_back_its_fixed_port():
    first = serve(hello_app("one"), name="fixed")
    port = first.port
    first.stop()
    second = serve(hello_app("two"), port=port, name="fixed")
    assert httpx.get(second.url).json() == "two"


def test_running_servers_and_stop_all():
    # In a process of its own: stop_all() stops every server, and other tests' may be running here.
    script = textwrap.dedent(
        """
        import httpx
        import cors_lab
        from fastapi import FastAPI

        servers = [cors_lab.serve(FastAPI()) for _ in range(3)]
        assert cors_lab.running_servers() == servers
        cors_lab.stop_all()
        assert cors_lab.running_servers() == []
        for server in servers:
            try:
                httpx.get(server.url)
            except httpx.ConnectError:
                continue
            raise SystemExit(f"{server.url} still answers")
        print("all stopped")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "all stopped"


def test_what_uvicorn_logs_about_our_servers_stays_off_stderr_and_reaches_the_cors_lab_logger():
    # A plain process, as a notebook kernel is: nothing configures logging, so a record that
    # reaches no handler would print on stderr (into the learner's notebook).
    script = textwrap.dedent(
        """
        import logging, threading, time
        import httpx
        import cors_lab
        from fastapi import FastAPI

        app = FastAPI()

        arrived = threading.Event()

        @app.get("/slow")
        async def slow():
            import asyncio
            arrived.set()
            await asyncio.sleep(30)

        seen = []
        handler = logging.Handler()
        handler.emit = lambda record: seen.append(record.getMessage())
        logging.getLogger("cors_lab.servers.uvicorn").addHandler(handler)
        server = cors_lab.serve(app)
        threading.Thread(target=lambda: httpx.get(server.url + "/slow", timeout=60), daemon=True).start()
        assert arrived.wait(30), "the slow request never reached the server"
        server.stop()  # the slow request outlives the 2 s graceful shutdown: uvicorn cancels it, and says so
        print(any("graceful shutdown" in message for message in seen))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert done.stderr == ""


def test_port_in_use_names_the_port_and_suggests_port_zero():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(PortInUseError) as caught:
            serve(hello_app(), port=port)
    assert str(port) in str(caught.value) and "port=0" in str(caught.value)
    assert isinstance(caught.value, OSError)
    assert server_threads() == []


def race_for_port(port: int, racers: int) -> list[object]:
    """What each of ``racers`` threads got from ``serve(port=port)`` called at the same moment."""
    start_line = threading.Barrier(racers)
    outcomes: list[object] = []

    def race() -> None:
        start_line.wait()
        try:
            outcomes.append(serve(hello_app(), port=port))
        except Exception as exc:  # every outcome is kept, to be judged by the caller
            outcomes.append(exc)

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_servers_racing_for_one_port_get_it_once_and_the_rest_hear_port_in_use():
    # Ten students' kernels on one machine all ask for the lesson's port 3000 at the same moment.
    for _ in range(10):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        outcomes = race_for_port(port, racers=6)
        winners = [outcome for outcome in outcomes if isinstance(outcome, cors_lab.Server)]
        losers = [outcome for outcome in outcomes if not isinstance(outcome, cors_lab.Server)]
        try:
            assert len(winners) == 1, outcomes
            assert all(isinstance(loser, PortInUseError) for loser in losers), losers
            assert httpx.get(winners[0].url + "/").json() == "hello"
        finally:
            for winner in winners:
                winner.stop()


@pytest.mark.parametrize("port", [-1, 65536, "8000", 80.0, True])
def test_bad_port_values_are_refused(port):
    with pytest.raises(ValueError, match="is not a port number"):
        serve(hello_app(), port=port)


def test_import_string_apps_load(tmp_path, monkeypatch):
    (tmp_path / "my_api.py").write_text("from cors_lab import demo_api\napp = demo_api()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with serve("my_api:app") as server:
        assert httpx.get(server.url + "/users").status_code == 200


@pytest.mark.parametrize(
    ("app", "message"),
    [
        ("no_such_module:app", "could not load the app 'no_such_module:app'"),
        ("cors_lab:nothing_here", "could not load the app 'cors_lab:nothing_here'"),
        ("no colon", "could not load the app 'no colon'"),
        (42, "42 is not an ASGI app"),
    ],
)
def test_bad_apps_fail_clearly_and_leave_nothing_behind(app, message):
    with pytest.raises(ServerStartError, match=message):
        serve(app)
    assert server_threads() == []
    assert started_here() == []


def test_a_failing_startup_raises_uvicorns_reason_and_leaves_nothing_behind():
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        raise RuntimeError("database unreachable")
        yield  # pragma: no cover

    before = set(threading.enumerate())
    with pytest.raises(ServerStartError) as caught:
        serve(FastAPI(lifespan=lifespan), name="broken")
    message = str(caught.value)
    assert "RuntimeError: database unreachable; Application startup failed" in message
    assert any("Traceback" in line for line in caught.value.log)
    assert set(threading.enumerate()) <= before
    assert started_here() == []


def test_errors_in_endpoints_become_500s_and_are_kept_not_printed(capfd):
    app = FastAPI()

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with serve(app) as server:
        response = httpx.get(server.url + "/boom")
        assert response.status_code == 500
        assert [repr(e) for e in server.errors] == ["RuntimeError('kaboom')"]
    out, err = capfd.readouterr()
    assert "kaboom" not in out + err


def test_serve_works_while_an_event_loop_is_running():
    # A Jupyter kernel calls serve() from code running inside its own event loop. (A fresh
    # thread, because the browser tests' Playwright may already run a loop in this one.)
    async def inside_a_running_loop() -> str:
        assert asyncio.get_running_loop().is_running()
        with serve(hello_app("from a running loop")) as server:
            async with httpx.AsyncClient() as client:
                return (await client.get(server.url)).json()

    results: list[str] = []
    thread = threading.Thread(target=lambda: results.append(asyncio.run(inside_a_running_loop())))
    thread.start()
    thread.join(30)
    assert results == ["from a running loop"]


def test_servers_are_stopped_gracefully_at_interpreter_exit():
    script = textwrap.dedent(
        """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI
        import cors_lab

        @asynccontextmanager
        async def lifespan(app):
            yield
            print("shutdown ran", flush=True)

        server = cors_lab.serve(FastAPI(lifespan=lifespan))
        print("serving", flush=True)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["serving", "shutdown ran"]


def test_exported_from_the_package():
    assert cors_lab.serve is serve
    assert cors_lab.Server.__module__ == "cors_lab.servers"


def test_a_stop_that_cannot_finish_in_time_says_so_and_frees_the_port():
    entered, release = threading.Event(), threading.Event()
    app = FastAPI()

    @app.get("/hang")
    def hang() -> str:
        entered.set()
        release.wait(30)  # a request that does not end until the test lets it
        return "done"

    server = serve(app)
    client = threading.Thread(target=lambda: httpx.get(server.url + "/hang", timeout=30))
    client.start()
    assert entered.wait(10)
    with pytest.raises(ServerStopError, match=r"did not stop within 0.5 s: a request is still running"):
        server.stop(timeout=0.5)
    assert started_here() == []
    with serve(hello_app("again"), port=server.port) as second:  # the port is free at once
        assert httpx.get(second.url).json() == "again"
    release.set()
    client.join(30)
    server._thread.join(30)
    assert not server._thread.is_alive()


def test_a_startup_that_never_finishes_is_reported_not_taken_for_success():
    from contextlib import asynccontextmanager

    gate = asyncio.Event()

    @asynccontextmanager
    async def lifespan(app):
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(gate.wait(), 2)  # longer than the start timeout
        yield

    with pytest.raises(ServerStartError, match=r"not accepting connections after 0.5 s"):
        serve(FastAPI(lifespan=lifespan), start_timeout=0.5)
    assert started_here() == []
    for thread in server_threads():  # the slow startup ends on its own, and the thread with it
        thread.join(10)
