"""RQ job functions: thin wrappers that call the services.

Each job names the timer it delivers; the timer carries the state and version it
expects, so a duplicate or stale delivery changes nothing (exactly-once effects
on top of RQ's at-least-once delivery).
"""
from backend.services import timers
from backend.store.connection import connect


def fire_timer(sid, timer_id):
    return timers.fire(connect(), sid, timer_id)
