"""Filings on record as a sandbox's user reads them: entities, websites, and the record-number
validator (dated by the sandbox's virtual clock)."""

from backend.domain import numbering
from backend.services import world
from backend.store import tx as store


def entities(r, sid):
    """Entities (主体) on record, cancelled ones included, in id order."""
    return store.read(r, sid).all("entities")


def websites(r, sid):
    """Websites (网站) on record, cancelled ones included, in id order."""
    return store.read(r, sid).all("websites")


def describe_number(r, sid, number):
    """What a record number says (kind, province, serial, site index, suffix), or why it is
    invalid — judged on the sandbox's virtual today (a number from a later year is invalid)."""
    return numbering.describe(number, today=world.today(store.read(r, sid)))
