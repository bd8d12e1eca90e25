from doorstep.domain.delivery_policy import AfterLastAttempt, DeliveryPolicy, Reattempt
from doorstep.domain.tracking_story import Stage, after_failure, first_name, stage_of


def test_an_order_is_as_far_as_its_slowest_parcel() -> None:
    assert stage_of(["delivered", "out_for_delivery"], next_stop=False) is Stage.OUT_FOR_DELIVERY
    assert stage_of(["loaded", "sorted"], next_stop=False) is Stage.AT_HUB


def test_a_failure_or_a_return_outranks_progress() -> None:
    assert stage_of(["delivered", "attempt_failed"], next_stop=False) is Stage.ATTEMPT_FAILED
    assert stage_of(["returning"], next_stop=True) is Stage.RETURNING


def test_out_for_delivery_becomes_next_stop_only_when_next() -> None:
    assert stage_of(["out_for_delivery"], next_stop=True) is Stage.NEXT_STOP
    assert stage_of(["at_hub"], next_stop=True) is Stage.AT_HUB


def test_only_the_first_name_is_shown() -> None:
    assert first_name("Samira  Okafor-Jones") == "Samira"
    assert first_name("   ") == "Your courier"


def test_after_the_third_failure_the_parcel_goes_back_to_the_sender() -> None:
    assert "next working day" in after_failure(1, returning=False)
    assert "back to the sender" in after_failure(3, returning=False)


def test_the_words_after_a_failure_follow_the_brands_policy() -> None:
    once = DeliveryPolicy(attempts_allowed=1)
    assert "back to the sender" in after_failure(1, returning=False, policy=once)
    assert "next working day" in after_failure(3, returning=False, policy=DeliveryPolicy(5))
    hold = DeliveryPolicy(
        attempts_allowed=2, hold_at_hub_days=5, after_last_attempt=AfterLastAttempt.HOLD_AT_HUB
    )
    assert "collect for 5 working days" in after_failure(2, returning=False, policy=hold)
    customer = DeliveryPolicy(reattempt=Reattempt.CUSTOMER_DAY)
    assert "the day you choose" in after_failure(1, returning=False, policy=customer)
