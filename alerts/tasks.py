"""django-q2 entry points of alerts (the sweeper is scheduled by setup_schedules)."""

from alerts.services import delivery


def deliver_webhook(delivery_id: int) -> str:
    return delivery.attempt(delivery_id)


def sweep_deliveries() -> str:
    return f"queued {delivery.sweep()} alert deliveries"
