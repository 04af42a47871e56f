import pytest

from cors_lab.browser.http import display_name, is_cors_header, is_token, parse_header_line


@pytest.mark.parametrize("text", ["GET", "patch", "X-Custom", "a.b_c~d", "!#$%&'*+^`|"])
def test_tokens(text: str) -> None:
    assert is_token(text)


@pytest.mark.parametrize("text", ["", "X Custom", "Ü", "a:b", "a/b", "(x)", "a\tb"])
def test_not_tokens(text: str) -> None:
    assert not is_token(text)


def test_display_name_capitalises_each_part() -> None:
    assert display_name("content-type") == "Content-Type"
    assert display_name("X-REQUEST-ID") == "X-Request-Id"


@pytest.mark.parametrize("name", ["Access-Control-Allow-Origin", "origin", "Vary"])
def test_cors_headers(name: str) -> None:
    assert is_cors_header(name)


def test_other_headers_are_not_cors_headers() -> None:
    assert not is_cors_header("Content-Type")


def test_header_line_is_split_at_the_first_colon_and_stripped() -> None:
    assert parse_header_line(" Referer :  http://a.example:8000/x ") == ("Referer", "http://a.example:8000/x")
    assert parse_header_line("X-Empty:") == ("X-Empty", "")


@pytest.mark.parametrize("line", ["no colon", ": value", "Two words: x", "Bad(name): x"])
def test_bad_header_lines_name_the_line_and_the_form(line: str) -> None:
    with pytest.raises(ValueError, match=r"is not 'Name: value', e\.g\. 'Content-Type: application/json'") as error:
        parse_header_line(line)
    assert repr(line.strip()) in str(error.value)
