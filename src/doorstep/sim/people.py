"""Invented recipients for the demo: common UK names, reserved phone numbers and domains.

No real person's data: names are drawn independently from lists of common first and
family names, phone numbers lie in Ofcom's range reserved for drama (+44 7700 900000
to 900999, never assigned to a subscriber), and e-mail domains are the ones RFC 2606
reserves for examples.
"""

from __future__ import annotations

import random
import re
from typing import Final

FIRST_NAMES: Final = (
    "Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Noah", "Mia", "Jack", "Ivy",
    "Leo", "Lily", "Arthur", "Freya", "Muhammad", "Florence", "Oscar", "Grace", "Charlie",
    "Sophia", "Jacob", "Willow", "Thomas", "Evie", "Alfie", "Rosie", "Theo", "Emily", "Joshua",
    "Poppy", "Aarav", "Priya", "Kwame", "Ama", "Tomasz", "Zofia", "Chen", "Mei", "Dimitri",
    "Eleni", "Siobhan", "Callum", "Aisha", "Yusuf", "Fatima", "Rhys", "Niamh", "Ewan", "Iona",
)  # fmt: skip
FAMILY_NAMES: Final = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "Clark", "Khan", "Ahmed", "Begum", "Okafor", "Mensah",
    "Nowak", "Kowalski", "Wong", "Papadopoulos", "O'Brien", "Murphy", "MacDonald", "Campbell",
)  # fmt: skip
EMAIL_DOMAINS: Final = ("example.com", "example.org", "example.net")
DRAMA_MOBILE_PREFIX: Final = "+447700900"


def recipient_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(FAMILY_NAMES)}"


def drama_mobile(rng: random.Random) -> str:
    """A UK mobile number from Ofcom's drama range: it looks real and rings nobody."""
    return f"{DRAMA_MOBILE_PREFIX}{rng.randrange(1000):03d}"


def email_for(name: str, rng: random.Random) -> str:
    local = re.sub(r"[^a-z.]", "", name.lower().replace(" ", "."))
    return f"{local}{rng.randrange(10, 100)}@{rng.choice(EMAIL_DOMAINS)}"
