"""E-mail copies of the account's notices to the responsible people (domain/mail.py)."""

from backend.domain import mail
from backend.services import webhooks


def follow(tx, app, message, people):
    """After an in-site notice: the same news by e-mail to each responsible person's address.
    `people`: the order's contacts (effects.contacts)."""
    if not mail.wanted(message["code"], message["channel"]):
        return
    audit = app.get("audit_data") if message["code"].endswith("REJECTED") else ()
    for name, email in mail.recipients(people):
        subject, body = mail.compose(message["code"], app["id"], name, message["text"], audit)
        copy = {
            "id": tx.next_id("outbox", "M", 6),
            "at": message["at"],
            "channel": "email",
            "to": email,
            "sender": mail.SENDER,
            "code": message["code"],
            "app_id": app["id"],
            "subject": subject,
            "text": body,
        }
        tx.add_outbox(mail.pack(copy))  # stored without what is rendered again on read
        webhooks.on_message(tx, copy)
