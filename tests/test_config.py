import inspect
from dataclasses import FrozenInstanceError, fields

import httpx
import pytest
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from cors_lab import DEFAULT_DEV_ORIGIN, CorsConfig, CorsConfigError, serve

PAGE = "http://localhost:3000"


def test_fields_are_exactly_corsmiddlewares_parameters_and_defaults():
    parameters = list(inspect.signature(CORSMiddleware.__init__).parameters.values())[2:]  # self, app
    assert [f.name for f in fields(CorsConfig)] == [p.name for p in parameters]
    default = CorsConfig()
    for parameter in parameters:
        assert getattr(default, parameter.name) == parameter.default, parameter.name


def test_is_frozen_and_stores_lists_as_tuples():
    config = CorsConfig(allow_origins=[PAGE], allow_methods=["GET", "PUT"])
    assert config.allow_origins == (PAGE,)
    assert config == CorsConfig(allow_origins=(PAGE,), allow_methods=("GET", "PUT"))
    with pytest.raises(FrozenInstanceError):
        config.max_age = 1


def test_a_single_string_is_kept_as_starlette_would_keep_it():
    # Starlette then tests `origin in "https://app.example.com"`, a substring match.
    config = CorsConfig(allow_origins="https://app.example.com")
    assert config.allow_origins == "https://app.example.com"
    assert config.as_kwargs()["allow_origins"] == "https://app.example.com"


def test_as_kwargs_gives_every_parameter_with_lists():
    kwargs = CorsConfig(allow_origins=[PAGE], allow_credentials=True).as_kwargs()
    assert kwargs == {
        "allow_origins": [PAGE],
        "allow_methods": ["GET"],
        "allow_headers": [],
        "allow_credentials": True,
        "allow_origin_regex": None,
        "allow_private_network": False,
        "expose_headers": [],
        "max_age": 600,
    }
    CORSMiddleware(FastAPI(), **kwargs)  # accepted as they are


def test_repr_reads_like_the_add_middleware_call():
    config = CorsConfig(
        allow_origins=[PAGE, "https://myfrontend.com"],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
    )
    assert repr(config) == (
        "app.add_middleware(\n"
        "    CORSMiddleware,\n"
        "    allow_origins=['http://localhost:3000', 'https://myfrontend.com'],\n"
        "    allow_methods=['GET', 'POST', 'PUT', 'DELETE'],\n"
        "    allow_credentials=True,\n"
        ")"
    )
    assert repr(CorsConfig()) == "app.add_middleware(\n    CORSMiddleware,\n)"


def test_apply_adds_the_middleware_that_answers_preflights():
    app = FastAPI()

    @app.get("/ping")
    def ping() -> str:
        return "pong"

    assert CorsConfig(allow_origins=[PAGE], allow_methods=["GET", "PUT"]).apply(app) is app
    with serve(app) as server, httpx.Client(base_url=server.url) as client:
        preflight = client.options("/ping", headers={"Origin": PAGE, "Access-Control-Request-Method": "PUT"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == PAGE
        assert client.get("/ping", headers={"Origin": PAGE}).headers["access-control-allow-origin"] == PAGE


# --- from_env --------------------------------------------------------------------------------


def test_unset_gives_the_development_default_and_starlettes_defaults():
    config = CorsConfig.from_env({})
    assert config == CorsConfig(allow_origins=[DEFAULT_DEV_ORIGIN])
    assert DEFAULT_DEV_ORIGIN == "http://localhost:3000"


def test_a_production_value_with_every_variable():
    config = CorsConfig.from_env(
        {
            "ALLOWED_ORIGINS": " https://myfrontend.com , https://admin.myfrontend.com,,",
            "CORS_ALLOW_CREDENTIALS": "true",
            "CORS_ALLOW_METHODS": "get, POST,PUT",
            "CORS_ALLOW_HEADERS": "Authorization, Content-Type",
            "CORS_EXPOSE_HEADERS": "X-Total-Count",
            "CORS_MAX_AGE": "3600",
            "UNRELATED": "ignored",
        }
    )
    assert config == CorsConfig(
        allow_origins=["https://myfrontend.com", "https://admin.myfrontend.com"],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["X-Total-Count"],
        max_age=3600,
    )


def test_wildcards_are_accepted():
    config = CorsConfig.from_env({"ALLOWED_ORIGINS": "*", "CORS_ALLOW_METHODS": "*", "CORS_ALLOW_HEADERS": "*"})
    assert (config.allow_origins, config.allow_methods, config.allow_headers) == (("*",), ("*",), ("*",))


def test_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://from-os.example")
    assert CorsConfig.from_env().allow_origins == ("https://from-os.example",)


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# production\nALLOWED_ORIGINS=https://myfrontend.com\nCORS_MAX_AGE=60\n")
    assert CorsConfig.from_env({}, env_file=env_file) == CorsConfig(
        allow_origins=["https://myfrontend.com"], max_age=60
    )
    assert CorsConfig.from_env({"CORS_MAX_AGE": "5"}, env_file=env_file).max_age == 5


def test_missing_env_file_is_a_clear_error(tmp_path):
    with pytest.raises(CorsConfigError, match=r"env file '.*nowhere\.env' does not exist"):
        CorsConfig.from_env({}, env_file=tmp_path / "nowhere.env")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"ALLOWED_ORIGINS": "https://myfrontend.com/"}, "use 'https://myfrontend.com'"),
        ({"ALLOWED_ORIGINS": "myfrontend.com"}, "'myfrontend.com' has no scheme: write it as 'https://myfrontend.com'"),
        (
            {"ALLOWED_ORIGINS": "http://localhost:3000,localhost:8000"},
            "'localhost:8000' has no scheme (a browser would read the host as the scheme): "
            "write it as 'http://localhost:8000'",
        ),
        ({"ALLOWED_ORIGINS": "HTTPS://MyFrontend.com"}, "use 'https://myfrontend.com'"),
        ({"ALLOWED_ORIGINS": "https://myfrontend.com:443"}, "use 'https://myfrontend.com'"),
        ({"ALLOWED_ORIGINS": "https://myfrontend.com/app?x=1"}, "use 'https://myfrontend.com'"),
        ({"ALLOWED_ORIGINS": "null"}, "item 'null' would let in sandboxed iframes"),
        ({"ALLOWED_ORIGINS": " , "}, "ALLOWED_ORIGINS=' , ' lists no origin"),
        ({"ALLOWED_ORIGINS": ""}, "ALLOWED_ORIGINS='' lists no origin"),
        (
            {"ALLOWED_ORIGINS": "https://a.example https://b.example"},
            "contains a space: separate origins with commas, e.g. 'https://a.example,https://b.example'",
        ),
        ({"CORS_ALLOW_CREDENTIALS": "maybe"}, "CORS_ALLOW_CREDENTIALS='maybe' is not valid"),
        ({"CORS_MAX_AGE": "ten"}, "CORS_MAX_AGE='ten' is not valid"),
        ({"CORS_MAX_AGE": "-1"}, "CORS_MAX_AGE='-1' is not valid"),
        ({"CORS_ALLOW_METHODS": "GET;POST"}, "CORS_ALLOW_METHODS item 'GET;POST' is not a valid name"),
        ({"CORS_ALLOW_HEADERS": "X Custom"}, "CORS_ALLOW_HEADERS item 'X Custom' is not a valid name"),
    ],
)
def test_bad_values_name_the_variable_the_value_and_the_fix(environ, expected):
    with pytest.raises(CorsConfigError) as caught:
        CorsConfig.from_env(environ)
    assert expected in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "on"])
def test_credentials_accepts_the_usual_spellings_of_true(value):
    assert CorsConfig.from_env({"CORS_ALLOW_CREDENTIALS": value}).allow_credentials is True
