"""AXES_HANDLER (settings): django-axes' database handler with a limit per client address
of its own. Imported by django-axes once apps are loaded (its models), unlike
accounts/lockout.py, which settings name for callables only."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """AXES_HANDLER: a username is locked after LOGIN_MAX_FAILURES failures, a client
    address only after LOGIN_MAX_FAILURES_PER_ADDRESS. Colleagues share an address (a
    regency office, the governor's building behind one NAT): five mistyped passwords of
    one of them locked out everyone there. An address still stops one machine guessing
    across many accounts; each account keeps its own limit of five.

    django-axes compares one number with one limit: the failures of each lockout
    parameter (AXES_LOCKOUT_PARAMETERS, in order), the largest counting. An address's
    count is scaled to that limit, so it reaches it exactly at its own:
    floor(n x 5 / 20) >= 5 once n >= 20."""

    def get_failures(self, request, credentials=None) -> int:
        limit = get_failure_limit(request, credentials)
        per_address = max(settings.LOGIN_MAX_FAILURES_PER_ADDRESS, limit)
        counts = [0]
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "ip_address":
                failures = failures * limit // per_address
            counts.append(failures)
        return max(counts)
