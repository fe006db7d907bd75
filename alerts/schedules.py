from cryptodt.schedules import Planned


def planned() -> list[Planned]:
    # Alert webhooks whose task was lost (a crash, the broker down) or whose retry is due.
    return [Planned("sweep_alert_deliveries", "alerts.tasks.sweep_deliveries", 1)]
