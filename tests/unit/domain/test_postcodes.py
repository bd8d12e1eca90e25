import pytest

from doorstep.domain.postcodes import NotAPostcode, is_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("nw1 9ll", "NW1 9LL"),
        ("NW19LL", "NW1 9LL"),
        ("  wc2a  3hp ", "WC2A 3HP"),
        ("W1T4QA", "W1T 4QA"),
        ("N1C 4AG", "N1C 4AG"),
        ("E1 6AN", "E1 6AN"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("gir 0aa", "GIR 0AA"),
    ],
)
def test_normalises_postcodes_to_upper_case_with_one_space(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "NW1", "12345", "NW1 9LLL", "QW1 9LL", "NW1 9CL", "NW1-9LL", "LONDON"]
)
def test_refuses_text_that_is_not_shaped_like_a_postcode(raw: str) -> None:
    with pytest.raises(NotAPostcode) as caught:
        normalise_postcode(raw)
    assert caught.value.reason
    assert not is_postcode(raw)
