"""Seeded randomness: one stream per (seed, purpose)."""

import random

from backend.domain.rng import rng


def draws(r, n=20):
    return [r.random() for _ in range(n)]


def test_same_parts_give_the_same_sequence():
    assert draws(rng(42, "app-1", "sms", 1)) == draws(rng(42, "app-1", "sms", 1))
    assert rng("seed", "nat-ip", 3).randint(0, 10**9) == rng("seed", "nat-ip", 3).randint(0, 10**9)


def test_different_parts_differ():
    base = draws(rng(42, "app-1", "sms", 1))
    assert draws(rng(42, "app-1", "sms", 2)) != base
    assert draws(rng(42, "app-2", "sms", 1)) != base
    assert draws(rng(43, "app-1", "sms", 1)) != base
    assert draws(rng(42, "app-1", "review", 1)) != base
    assert draws(rng(42)) != base
    assert draws(rng(42, "sms", "app-1", 1)) != base  # order matters


def test_many_purposes_give_distinct_streams():
    firsts = {rng(7, "app", i).random() for i in range(200)}
    assert len(firsts) == 200


def test_independent_of_the_global_random_state():
    random.seed(1)
    a = draws(rng(5, "x"))
    random.seed(2)
    random.random()
    b = draws(rng(5, "x"))
    assert a == b


def test_streams_do_not_share_state():
    r1, r2 = rng(5, "x"), rng(5, "x")
    first = r1.random()
    r1.random()
    assert r2.random() == first


def test_returns_a_random_instance():
    assert isinstance(rng(1), random.Random)
