"""Rendering a message: the brand's wording (or ours) filled in, sandboxed.

Brands write their own subject and body in Jinja2, so their text runs in Jinja2's
immutable sandbox, may use only ``if``/``elif``/``else`` blocks (no loops, no macros, no
includes: nothing that could run long or reach a file), and is checked when it is saved by
rendering it with sample data (:func:`check_override`). Values (a recipient's name, a
reference) are data, never template: a ``{{`` in a name is printed as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from doorstep.domain.errors import InvalidValue
from doorstep.domain.notifications import Channel, NotificationKind, NotificationSettings
from doorstep.domain.quiet_hours import LONDON
from doorstep.services.notifications.wording import default_body, default_subject

_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_STATEMENT = re.compile(r"{%-?\s*(\w+)")
_ALLOWED_STATEMENTS = frozenset({"if", "elif", "else", "endif"})
_URL = re.compile(r"https?://[^\s<>\"]+")
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.Not,
    nodes.And,
    nodes.Or,
    nodes.Compare,
    nodes.Operand,
    nodes.Filter,
)
_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim"})


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str | None  # e-mails only
    text: str
    html: str | None  # e-mails only


def window_variables(start: datetime | None, end: datetime | None) -> dict[str, str]:
    """The window as London wall-clock times ("10:40", "11:40", "10:40-11:40")."""
    if start is None or end is None:
        return {"window": "", "window_start": "", "window_end": ""}
    first, last = start.astimezone(LONDON), end.astimezone(LONDON)
    return {
        "window": f"{first:%H:%M}-{last:%H:%M}",
        "window_start": f"{first:%H:%M}",
        "window_end": f"{last:%H:%M}",
    }


def day_words(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B}"


def render(
    kind: NotificationKind,
    channel: Channel,
    settings: NotificationSettings,
    variables: Mapping[str, Any],
) -> Rendered:
    """The message as sent: the brand's override where it has one, else our wording."""
    override = settings.override(kind, channel)
    body = _fill(override.text or default_body(kind, channel), variables, "text")
    if channel is Channel.SMS:
        return Rendered(subject=None, text=body, html=None)
    subject = _fill(override.subject or default_subject(kind), variables, "subject")
    subject = " ".join(subject.split())  # one header line, whatever the values held
    return Rendered(subject=subject, text=body, html=_html(subject, body, variables))


def check_override(text: str, field: str, sample: Mapping[str, Any]) -> None:
    """Refuse (InvalidValue at ``field``) a brand's template that uses more than plain
    substitution and ``if`` blocks, names an unknown variable or does not render.

    The template's syntax tree may hold only names, constants, ``if``, ``and``/``or``/
    ``not``, comparisons and a few filters without arguments: no arithmetic (``'x' *
    10**9`` would fill the memory), no calls, no attribute access.
    """
    for statement in _STATEMENT.findall(text):
        if statement not in _ALLOWED_STATEMENTS:
            raise InvalidValue(field, f"only {{% if %}} blocks are allowed, not {statement!r}")
    try:
        tree = _ENV.parse(text)
    except TemplateError as error:
        raise InvalidValue(field, f"the template does not render: {error.message}") from error
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise InvalidValue(
                field, f"only variables and if blocks are allowed ({type(node).__name__})"
            )
        if isinstance(node, nodes.Filter) and (
            node.name not in _FILTERS or node.args or node.kwargs
        ):
            raise InvalidValue(field, f"the filter {node.name!r} is not allowed")
    try:
        _ENV.from_string(text).render(**sample)
    except TemplateError as error:
        raise InvalidValue(field, f"the template does not render: {error.message}") from error


def _fill(template: str, variables: Mapping[str, Any], what: str) -> str:
    try:
        return _ENV.from_string(template).render(**variables).strip()
    except TemplateError as error:  # checked at save, so only an old stored template
        raise InvalidValue(what, f"the template does not render: {error.message}") from error


def _html(subject: str, text: str, variables: Mapping[str, Any]) -> str:
    """The text laid out as simple, accessible HTML: paragraphs, links, a button."""
    paragraphs = [part.strip() for part in text.split("\n\n") if part.strip()]
    body = "\n".join(f"<p>{_linked(part)}</p>" for part in paragraphs)
    link = escape(str(variables.get("tracking_link", "")))
    brand = escape(str(variables.get("brand", "")))
    return (
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(subject)}</title></head>\n"
        '<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;'
        'color:#1a1a1a;max-width:560px;margin:0 auto;padding:16px">\n'
        f'<p style="font-weight:bold;font-size:18px">{brand}</p>\n{body}\n'
        f'<p><a href="{link}" style="display:inline-block;padding:12px 20px;'
        'background:#1a1a1a;color:#ffffff;text-decoration:none;border-radius:4px">'
        "Track your parcel</a></p>\n</body></html>\n"
    )


def _linked(paragraph: str) -> Markup:
    """Escape a paragraph, make its web addresses links and keep its line breaks."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(paragraph):
        out.append(str(escape(paragraph[last : match.start()])))
        url = escape(match.group(0))
        out.append(f'<a href="{url}">{url}</a>')
        last = match.end()
    out.append(str(escape(paragraph[last:])))
    return Markup("".join(out).replace("\n", "<br>\n"))  # noqa: S704 - every part escaped
