"""RQ job functions for webhooks: thin wrappers over services/webhook_delivery.py."""

from backend.services import webhook_delivery
from workers.jobs import client


def deliver(sid, webhook_id, app_id):
    """Drain one (webhook, application) chain: its pending deliveries, in order."""
    return webhook_delivery.drain(client(), sid, webhook_id, app_id)
