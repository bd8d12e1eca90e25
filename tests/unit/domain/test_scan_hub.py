"""A parcel pinned to a hub is handled there and nowhere else."""

from __future__ import annotations

import pytest

from doorstep.domain.errors import WrongHub
from doorstep.domain.scan import check_hub
from tests import factories


def test_refuses_a_parcel_of_another_hub_naming_both_hubs() -> None:
    camden, islington = factories.hub(name="Camden"), factories.hub(name="Islington")
    with pytest.raises(WrongHub) as refused:
        check_hub("DS123", camden, islington)
    assert refused.value.message.startswith(
        "Parcel DS123 belongs to hub Camden; this is hub Islington."
    )


def test_accepts_a_parcel_at_its_own_hub_or_with_no_hub() -> None:
    camden = factories.hub(name="Camden")
    check_hub("DS123", camden, camden)
    check_hub("DS123", None, camden)
