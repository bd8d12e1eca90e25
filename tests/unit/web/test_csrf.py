from doorstep.web import csrf

SECRET = "s" * 40
TOKEN = "t" * 32


def test_a_csrf_value_issued_for_a_token_checks_for_it() -> None:
    assert csrf.check(SECRET, TOKEN, csrf.issue(SECRET, TOKEN))


def test_a_csrf_value_of_another_token_is_refused() -> None:
    assert not csrf.check(SECRET, TOKEN, csrf.issue(SECRET, "u" * 32))


def test_a_csrf_value_made_with_another_secret_is_refused() -> None:
    assert not csrf.check(SECRET, TOKEN, csrf.issue("other-secret" * 4, TOKEN))


def test_empty_huge_and_non_ascii_csrf_values_are_refused() -> None:
    assert not csrf.check(SECRET, TOKEN, "")
    assert not csrf.check(SECRET, TOKEN, "a" * 10_000)
    assert not csrf.check(SECRET, TOKEN, "é\x00" * 10)
