from cryptodt.schedules import Planned


def planned() -> list[Planned]:
    # The audit log has its own retention (AUDIT_RETENTION_DAYS).
    return [Planned("prune_audit", "accounts.tasks.prune_audit", 24 * 60)]
