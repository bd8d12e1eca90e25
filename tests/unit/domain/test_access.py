"""How far each caller's queries reach: the one decision store/scoping.py applies."""

from __future__ import annotations

import pytest

from doorstep.domain.access import Principal, PrincipalKind, Reach
from doorstep.domain.model import Role


@pytest.mark.parametrize(
    ("principal", "reach"),
    [
        (Principal.system("jobs"), Reach.ALL),
        (Principal.user("usr_1", Role.ADMIN), Reach.ALL),
        (Principal.user("usr_2", Role.DISPATCHER), Reach.ALL),
        (Principal.user("usr_3", Role.COURIER, courier_id="cou_1"), Reach.OWN_ROUTES),
        (Principal.brand("brd_1", "key_1"), Reach.OWN_BRAND),
    ],
)
def test_each_kind_of_caller_reaches_what_the_design_says(
    principal: Principal, reach: Reach
) -> None:
    assert principal.reach is reach
    assert principal.sees_all_brands is (reach is Reach.ALL)
    assert principal.may_operate_hub() is (reach is Reach.ALL)


def test_an_operator_without_a_known_office_role_sees_only_what_is_assigned() -> None:
    """A role added later starts with nothing, not with everything."""
    assert Principal(kind=PrincipalKind.OPERATOR, actor="usr_4").reach is Reach.OWN_ROUTES
