from tests.accounts.conftest import (  # noqa: F401  (the accounts fixtures, shared)
    _empty_audit_buffer,
    _fast_password_hashing,
    make_user,
    rate_clock,
    user,
)
from tests.data.conftest import _no_real_providers, listing  # noqa: F401
