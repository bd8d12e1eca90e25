"""SMS length: GSM-7 septets or UCS-2 code units, and the segments a provider bills."""

from __future__ import annotations

from doorstep.domain.sms_length import SmsEncoding, measure


def test_a_plain_text_of_160_characters_is_one_gsm7_segment() -> None:
    length = measure("a" * 160)
    assert (length.encoding, length.units, length.segments) == (SmsEncoding.GSM7, 160, 1)


def test_one_character_more_makes_two_segments_of_153() -> None:
    assert measure("a" * 161).segments == 2
    assert measure("a" * 306).segments == 2
    assert measure("a" * 307).segments == 3


def test_the_pound_sign_and_accents_of_the_gsm_alphabet_stay_gsm7() -> None:
    length = measure("£5 for Jörg? é à ñ")
    assert length.encoding is SmsEncoding.GSM7
    assert length.units == len("£5 for Jörg? é à ñ")


def test_the_euro_and_brackets_take_two_septets_each() -> None:
    length = measure("€5 [ok] {x} ~ | ^ \\")
    assert length.encoding is SmsEncoding.GSM7
    assert length.units == len("€5 [ok] {x} ~ | ^ \\") + 9


def test_160_septets_with_a_euro_need_two_segments() -> None:
    assert measure("a" * 158 + "€").segments == 1
    assert measure("a" * 159 + "€").segments == 2


def test_an_escape_pair_is_never_split_between_segments() -> None:
    # 152 letters then a euro: the pair would straddle the 153rd septet, so it moves on.
    text = "a" * 152 + "€" + "a" * 100
    assert measure(text).units == 254
    assert measure(text).segments == 2
    assert measure("a" * 152 + "€" + "a" * 152).segments == 3


def test_an_emoji_turns_the_whole_text_into_ucs2_counting_two_units() -> None:
    length = measure("Delivered 📦")
    assert length.encoding is SmsEncoding.UCS2
    assert length.units == len("Delivered ") + 2
    assert length.segments == 1


def test_ucs2_fits_70_units_in_one_message_and_67_per_part() -> None:
    assert measure("ł" * 70).segments == 1
    assert measure("ł" * 71).segments == 2
    assert measure("ł" * 134).segments == 2
    assert measure("ł" * 135).segments == 3


def test_a_surrogate_pair_is_never_split_between_ucs2_segments() -> None:
    text = "ł" * 66 + "📦" + "ł" * 10  # the emoji would take units 67 and 68
    assert measure(text).segments == 2
    assert measure("ł" * 66 + "📦" + "ł" * 66).segments == 3


def test_curly_quotes_from_a_word_processor_make_a_text_ucs2() -> None:
    assert measure("We\u2019re on our way").encoding is SmsEncoding.UCS2


def test_an_empty_text_is_still_one_message() -> None:
    assert measure("").segments == 1


def test_a_letter_outside_the_gsm_alphabet_makes_the_text_ucs2() -> None:
    assert measure("Zoë").encoding is SmsEncoding.UCS2  # ë is not in GSM 03.38
