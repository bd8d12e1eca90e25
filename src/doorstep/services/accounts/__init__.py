"""Brands, API keys, operator users and logins (``use_cases``, re-exported here:
``accounts.create_brand``), and the throttle on guesses and floods (``throttle``).
"""

from doorstep.services.accounts.use_cases import (
    active_user,
    authenticate_api_key,
    authenticate_user,
    create_brand,
    create_user,
    deactivate_user,
    find_brand,
    issue_api_key,
    list_api_keys,
    list_brands,
    list_users,
    looks_like_api_key,
    principal_for,
    revoke_api_key,
)

__all__ = [
    "active_user",
    "authenticate_api_key",
    "authenticate_user",
    "create_brand",
    "create_user",
    "deactivate_user",
    "find_brand",
    "issue_api_key",
    "list_api_keys",
    "list_brands",
    "list_users",
    "looks_like_api_key",
    "principal_for",
    "revoke_api_key",
]
