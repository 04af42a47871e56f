"""The exercises of notebook 05: right answers pass, typical wrong ones get the specific message."""

import pytest

import cors_lab
from cors_lab.exercises import environment as ex

# --- 5.1 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://www.shop.example,https://admin.shop.example:8443",
        "https://admin.shop.example:8443,https://www.shop.example",
        "https://www.shop.example, https://admin.shop.example:8443",  # from_env strips the spaces
    ],
)
def test_production_origins_accepts_the_two_shop_origins(value):
    feedback = ex.production_origins.check(value)
    assert feedback.passed, feedback.full_text
    assert "both shop pages can read the API" in feedback.full_text


def test_production_origins_starting_value_is_refused_by_from_env():
    feedback = ex.production_origins.check(
        "https://www.shop.example/,https://admin.shop.example:8443,http://localhost:3000"
    )
    assert not feedback.passed
    assert feedback.detail.startswith(
        "CorsConfig.from_env refuses this value: ALLOWED_ORIGINS item 'https://www.shop.example/'"
    )


def test_production_origins_localhost_is_reported_by_audit_env():
    feedback = ex.production_origins.check(
        "https://www.shop.example,https://admin.shop.example:8443,http://localhost:3000"
    )
    assert not feedback.passed
    assert feedback.detail.startswith("audit_env(production=True) reports error production-localhost")


def test_production_origins_wildcard_is_reported():
    feedback = ex.production_origins.check("*")
    assert not feedback.passed
    assert "wildcard" in feedback.full_text


def test_production_origins_missing_port_leaves_the_admin_page_blocked():
    feedback = ex.production_origins.check("https://www.shop.example,https://admin.shop.example")
    assert not feedback.passed
    assert feedback.detail.startswith(
        "the shop's page at https://admin.shop.example:8443 is still blocked: Access to fetch at"
    )


def test_production_origins_extra_origin_is_named():
    feedback = ex.production_origins.check(
        "https://www.shop.example,https://admin.shop.example:8443,https://shop.example"
    )
    assert not feedback.passed
    assert feedback.detail.startswith("a page at https://shop.example can read the API too")


def test_production_origins_plain_http_is_a_warning_that_fails():
    feedback = ex.production_origins.check(
        "https://www.shop.example,https://admin.shop.example:8443,http://www.shop.example"
    )
    assert not feedback.passed
    assert "http" in feedback.full_text and "warning" in feedback.full_text


def test_production_origins_not_a_string():
    feedback = ex.production_origins.check(["https://www.shop.example"])
    assert not feedback.passed
    assert feedback.detail.startswith("the answer is list")


# --- 5.2 --------------------------------------------------------------------------------------------


def forgot_split(environ):
    origins = environ.get("ALLOWED_ORIGINS", "http://localhost:3000")
    return dict(
        allow_origins=origins, allow_credentials=True, allow_methods=["GET", "POST"], allow_headers=["Content-Type"]
    )


def split_only(environ):
    origins = environ.get("ALLOWED_ORIGINS", "http://localhost:3000").split(",")
    return dict(
        allow_origins=origins, allow_credentials=True, allow_methods=["GET", "POST"], allow_headers=["Content-Type"]
    )


def stripped(environ):
    value = environ.get("ALLOWED_ORIGINS", "http://localhost:3000")
    origins = [item.strip() for item in value.split(",") if item.strip()]
    return dict(
        allow_origins=origins, allow_credentials=True, allow_methods=["GET", "POST"], allow_headers=["Content-Type"]
    )


def stripped_without_credentials(environ):
    settings = stripped(environ)
    del settings["allow_credentials"]
    return settings


def with_from_env(environ):
    return cors_lab.CorsConfig.from_env({"CORS_ALLOW_CREDENTIALS": "true", **environ})


def wildcard(environ):
    return dict(allow_origins=["*"], allow_credentials=True)


@pytest.mark.parametrize("answer", [stripped, with_from_env])
def test_fix_settings_accepts_a_list_of_stripped_origins(answer):
    feedback = ex.fix_settings.check(answer)
    assert feedback.passed, feedback.full_text


def test_fix_settings_string_is_a_substring_match():
    feedback = ex.fix_settings.check(forgot_split)
    assert not feedback.passed
    assert feedback.detail.startswith("with ALLOWED_ORIGINS unset, a page at http://localhost:300 can read the API")
    assert "substring match; split the value into a list" in feedback.full_text


def test_fix_settings_spaces_leave_the_admin_page_blocked():
    feedback = ex.fix_settings.check(split_only)
    assert not feedback.passed
    assert feedback.detail.startswith(
        "with ALLOWED_ORIGINS='https://myfrontend.com, https://admin.myfrontend.com', the page at "
        "https://admin.myfrontend.com is still blocked (allow_origins holds ' https://admin.myfrontend.com'"
    )


def test_fix_settings_needs_credentials():
    feedback = ex.fix_settings.check(stripped_without_credentials)
    assert not feedback.passed
    assert "Access-Control-Allow-Credentials" in feedback.full_text


def test_fix_settings_wildcard_lets_anyone_in():
    feedback = ex.fix_settings.check(wildcard)
    assert not feedback.passed
    assert "allow_origins contains '*'" in feedback.full_text


@pytest.mark.parametrize(
    "answer, start",
    [
        (3, "the answer is int"),
        (lambda environ: ["http://localhost:3000"], "give the settings as a dict of CORSMiddleware arguments"),
        (lambda environ: {"origins": []}, "'origins' is not a CORSMiddleware argument"),
    ],
)
def test_fix_settings_odd_answers(answer, start):
    feedback = ex.fix_settings.check(answer)
    assert not feedback.passed
    assert feedback.detail.startswith(start)


def test_fix_settings_a_function_that_raises_gets_feedback():
    feedback = ex.fix_settings.check(lambda environ: environ["ALLOWED_ORIGINS"])
    assert not feedback.passed
    assert feedback.detail.startswith("checking your answer raised KeyError")


# --- 5.3 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [{"B", "D", "E", "G"}, ["g", "e", "d", "b"], "B, D, E, G"])
def test_spot_refused_right_answer(answer):
    feedback = ex.spot_refused.check(answer)
    assert feedback.passed, feedback.full_text
    assert feedback.detail == (
        "from_env refuses exactly B, D, E, G and accepts A, C, F; of those, "
        "audit_env(production=True) still reports an error for F"
    )


def test_spot_refused_spaces_are_accepted():
    feedback = ex.spot_refused.check({"B", "C"})
    assert not feedback.passed
    assert feedback.detail.startswith("from_env accepts C (")
    assert "strips the spaces" in feedback.full_text


def test_spot_refused_wildcard_is_for_audit_env():
    feedback = ex.spot_refused.check({"B", "D", "E", "F", "G"})
    assert not feedback.passed
    assert feedback.detail.startswith("from_env accepts F ('*')")
    assert "production-wildcard" in feedback.full_text


def test_spot_refused_counts_the_missing_ones():
    feedback = ex.spot_refused.check({"B"})
    assert not feedback.passed
    assert feedback.detail.startswith("you found 1 of the 4 values from_env refuses; 3 more are refused")


@pytest.mark.parametrize("answer, start", [({"H"}, "'H' is not one of the values"), (3, "the answer is int 3")])
def test_spot_refused_odd_answers(answer, start):
    feedback = ex.spot_refused.check(answer)
    assert not feedback.passed
    assert feedback.detail.startswith(start)


def test_solutions_pass():
    namespace = {"cors_lab": cors_lab}
    exec(ex.production_origins.solution().code, namespace)
    exec(ex.fix_settings.solution().code, namespace)
    exec(ex.spot_refused.solution().code, namespace)
    assert ex.production_origins.check(namespace["allowed_origins"]).passed
    assert ex.fix_settings.check(namespace["cors_settings"]).passed
    assert ex.spot_refused.check(namespace["refused"]).passed


# --- 5.4 trust the proxy ------------------------------------------------------------------------------


def test_5_4_the_proxy_address_passes():
    namespace: dict = {}
    exec(ex.trust_the_proxy.solution().code, namespace)
    feedback = ex.trust_the_proxy.check(namespace["forwarded_allow_ips"])
    assert feedback.passed, feedback.full_text
    assert "Location: https://api.myfrontend.com/users" in feedback.message
    assert ex.trust_the_proxy.check([ex.PROXY_ADDRESS]).passed  # a list, as uvicorn.Config takes it


def test_5_4_uvicorns_default_trusts_only_a_proxy_on_the_same_machine():
    feedback = ex.trust_the_proxy.check("127.0.0.1")
    assert not feedback.passed
    assert feedback.message.startswith("the redirect still says Location: http://api.myfrontend.com/users")
    assert ex.PROXY_ADDRESS not in feedback.first  # the first feedback does not name the answer
    assert f"the request came from the proxy at {ex.PROXY_ADDRESS}" in feedback.detail


@pytest.mark.parametrize("value", ["*", f"{ex.PROXY_ADDRESS},{ex.NEIGHBOUR_ADDRESS}"])
def test_5_4_trusting_more_than_the_proxy_lets_a_neighbour_pose_as_any_client(value):
    feedback = ex.trust_the_proxy.check(value)
    assert not feedback.passed
    assert "another machine on the network can pose as any client" in feedback.message
    assert "made the app see the client 203.0.113.7" in feedback.detail


def test_5_4_bad_input():
    feedback = ex.trust_the_proxy.check(5)
    assert not feedback.passed and feedback.hints == ()
    assert feedback.message.startswith("the answer is int 5: give the value of --forwarded-allow-ips as a string")


def test_5_4_the_redirect_behind_the_proxy():
    for trusted, scheme in [("127.0.0.1", "http"), (ex.PROXY_ADDRESS, "https")]:
        response = ex.behind_the_proxy(ex.proxied_users_api(trusted), "/users/", ex.PROXY_ADDRESS)
        assert response.status_code == 307
        assert response.headers["location"] == f"{scheme}://api.myfrontend.com/users"
