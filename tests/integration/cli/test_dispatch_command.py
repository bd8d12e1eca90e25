"""``doorstep dispatch PLAN_ID`` as a dispatcher runs it: a real process on a real SQLite
file; each route goes to the courier who usually drives its van, or as ``--assign`` says."""

from __future__ import annotations

from pathlib import Path

from doorstep.store.database import create_engine_for
from doorstep.store.migrate import upgrade
from doorstep.store.uow import make_uow_factory
from tests.courier_day import SYSTEM, dispatched_day
from tests.integration.cli.test_commands import SECRET, run


def _planned(tmp_path: Path) -> tuple[str, str, str]:
    url = f"sqlite:///{tmp_path / 'doorstep.sqlite3'}"
    upgrade(url)
    engine = create_engine_for(url)
    try:
        from doorstep.store.crypto import FernetCipher

        day = dispatched_day(make_uow_factory(engine, FernetCipher(SECRET)), dispatch=False)
    finally:
        engine.dispose()
    return url, day.plan_id, day.courier_id


def test_dispatch_hands_each_route_to_its_usual_courier_once(tmp_path: Path) -> None:
    url, plan_id, courier_id = _planned(tmp_path)

    first = run(tmp_path, "dispatch", plan_id, DOORSTEP_DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert f"courier {courier_id}" in first.stdout and "3 stops" in first.stdout
    route_id = first.stdout.split()[0]
    assert route_id.startswith("rte_")

    again = run(tmp_path, "dispatch", plan_id, DOORSTEP_DATABASE_URL=url)
    assert again.returncode == 1
    assert "already dispatched" in again.stderr
    engine = create_engine_for(url)
    try:
        with make_uow_factory(engine)(SYSTEM) as uow:
            assert [r.id for r in uow.routes.find()] == [route_id]
    finally:
        engine.dispose()


def test_a_malformed_assignment_or_unknown_plan_is_one_line(tmp_path: Path) -> None:
    url, plan_id, courier_id = _planned(tmp_path)
    bad = run(
        tmp_path, "dispatch", plan_id, "--assign", f"first={courier_id}", DOORSTEP_DATABASE_URL=url
    )
    assert bad.returncode == 1
    assert "INDEX=COURIER_ID" in bad.stderr and "Traceback" not in bad.stderr
    unknown_courier = run(
        tmp_path,
        "dispatch",
        plan_id,
        "--assign",
        "0=cou_0000000000000000",
        DOORSTEP_DATABASE_URL=url,
    )
    assert unknown_courier.returncode == 1 and "no such courier" in unknown_courier.stderr
    missing = run(tmp_path, "dispatch", "pln_0000000000000000", DOORSTEP_DATABASE_URL=url)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
