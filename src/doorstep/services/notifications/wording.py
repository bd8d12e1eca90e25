"""The default wording of every message, in British English, as Jinja2 text.

One subject and one body per kind for e-mail, one body per kind for SMS (kept within one
GSM-7 segment where it can be). A brand may replace any of them
(:class:`~doorstep.domain.notifications.TemplateOverride`); the e-mail's HTML part is the
body laid out by ``layout.html`` in the same folder, so a brand's wording needs no HTML.

The variables every template may use are :data:`VARIABLES`; ``docs/notifications.md``
lists them with an example each.
"""

from __future__ import annotations

from collections.abc import Mapping

from doorstep.domain.notifications import Channel, NotificationKind

K = NotificationKind

VARIABLES = (
    "brand",  # the brand's name
    "first_name",  # the recipient's first name
    "reference",  # the brand's order reference
    "tracking_link",  # the tracking page (it shows the proof once delivered)
    "reschedule_link",  # the tracking page's choice of another day
    "window",  # "10:40-11:40" (London time), or empty when none is announced
    "window_start",  # "10:40"
    "window_end",  # "11:40"
    "day",  # "Wednesday 2 December"
    "reason",  # why an attempt failed, in words ("no one was in")
    "lateness_minutes",  # how late a delay is predicted to be
)

SUBJECTS: Mapping[NotificationKind, str] = {
    K.ORDER_CONFIRMED: "Your {{ brand }} order {{ reference }} is on its way to us",
    K.OUT_FOR_DELIVERY: "Your {{ brand }} parcel is out for delivery today",
    K.ARRIVING_SOON: "Your {{ brand }} parcel is arriving soon",
    K.DELIVERED: "Your {{ brand }} parcel has been delivered",
    K.ATTEMPT_FAILED: "We could not deliver your {{ brand }} parcel",
    K.DELAY_PREDICTED: "Your {{ brand }} parcel is running late",
    K.RETURNED: "Your {{ brand }} parcel is going back to {{ brand }}",
}

EMAIL_BODIES: Mapping[NotificationKind, str] = {
    K.ORDER_CONFIRMED: (
        "Hello {{ first_name }},\n\n"
        "{{ brand }} has sent us your order {{ reference }}. We will tell you the day it is "
        "out for delivery, with a one-hour window.\n\n"
        "Follow it here: {{ tracking_link }}"
    ),
    K.OUT_FOR_DELIVERY: (
        "Hello {{ first_name }},\n\n"
        "Your {{ brand }} parcel is out for delivery today, {{ day }}."
        "{% if window %} We expect to arrive between {{ window_start }} and "
        "{{ window_end }}.{% endif %}\n\n"
        "You can tell us where to leave it, or that you need longer to reach the door: "
        "{{ tracking_link }}"
    ),
    K.ARRIVING_SOON: (
        "Hello {{ first_name }},\n\n"
        "Your {{ brand }} parcel is nearly there"
        "{% if window %}: we expect to arrive between {{ window_start }} and "
        "{{ window_end }}{% endif %}.\n\n"
        "Follow the courier here: {{ tracking_link }}"
    ),
    K.DELIVERED: (
        "Hello {{ first_name }},\n\n"
        "Your {{ brand }} parcel {{ reference }} has been delivered.\n\n"
        "See where it was left, and the proof of delivery: {{ tracking_link }}"
    ),
    K.ATTEMPT_FAILED: (
        "Hello {{ first_name }},\n\n"
        "We called with your {{ brand }} parcel today but could not deliver it"
        "{% if reason %} ({{ reason }}){% endif %}.\n\n"
        "Choose another day here: {{ reschedule_link }}\n\n"
        "Or tell us a safe place or a neighbour: {{ tracking_link }}"
    ),
    K.DELAY_PREDICTED: (
        "Hello {{ first_name }},\n\n"
        "Sorry: your {{ brand }} parcel is running about {{ lateness_minutes }} minutes late"
        "{% if window %} and should now arrive between {{ window_start }} and "
        "{{ window_end }}{% endif %}.\n\n"
        "Follow it here: {{ tracking_link }}"
    ),
    K.RETURNED: (
        "Hello {{ first_name }},\n\n"
        "We could not deliver your {{ brand }} parcel {{ reference }}, so it is going back "
        "to {{ brand }}. They will be in touch about a refund or a new delivery.\n\n"
        "Details: {{ tracking_link }}"
    ),
}

SMS_BODIES: Mapping[NotificationKind, str] = {
    K.ORDER_CONFIRMED: (
        "{{ brand }}: we have your order {{ reference }}. Track it: {{ tracking_link }}"
    ),
    K.OUT_FOR_DELIVERY: (
        "{{ brand }}: your parcel is out for delivery today"
        "{% if window %}, {{ window }}{% endif %}. Options: {{ tracking_link }}"
    ),
    K.ARRIVING_SOON: (
        "{{ brand }}: your parcel is nearly there"
        "{% if window %}, {{ window }}{% endif %}. {{ tracking_link }}"
    ),
    K.DELIVERED: "{{ brand }}: your parcel has been delivered. Proof: {{ tracking_link }}",
    K.ATTEMPT_FAILED: (
        "{{ brand }}: we could not deliver your parcel today. Choose another day: "
        "{{ reschedule_link }}"
    ),
    K.DELAY_PREDICTED: (
        "{{ brand }}: sorry, your parcel is running late"
        "{% if window %}, now {{ window }}{% endif %}. {{ tracking_link }}"
    ),
    K.RETURNED: "{{ brand }}: your parcel is going back to {{ brand }}. {{ tracking_link }}",
}


def default_subject(kind: NotificationKind) -> str:
    return SUBJECTS[kind]


def default_body(kind: NotificationKind, channel: Channel) -> str:
    return (EMAIL_BODIES if channel is Channel.EMAIL else SMS_BODIES)[kind]
