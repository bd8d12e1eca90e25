"""The migrations form one line, each file numbered as its revision.

Two branches that each add "0003" merge without a textual conflict, and then every
``doorstep db upgrade`` fails; this catches it before the merge is pushed.
"""

from __future__ import annotations

import re

from alembic.script import ScriptDirectory

from doorstep.store import migrate


def test_revisions_are_one_numbered_line() -> None:
    script = ScriptDirectory(str(migrate.MIGRATIONS))
    revisions = list(script.walk_revisions())  # newest first, from the single head
    assert script.get_heads() == [revisions[0].revision]
    chain = [rev.revision for rev in reversed(revisions)]
    assert chain == [f"{n:04d}" for n in range(1, len(chain) + 1)]
    for rev in revisions:
        assert rev.path is not None
        assert re.match(rf"{rev.revision}_", rev.path.rsplit("/", 1)[-1]), rev.path
