"""Each process keeps a bounded copy of the cache entries it read, so a page seen again costs no
round trip to the shared cache (Redis) and is never older than the shared entry.

That a write shows at once to a reader whose process kept a copy is what the pages' own cache
tests check (tests/test_pacts_cache.py, test_org_home_cache.py, test_hearings_cache.py: one
process, so through these copies; and two workers sharing Redis)."""

from datetime import timedelta

import pytest

from app.core import fragments
from app.core.fragments import LocalCopies, remember, remember_until
from app.core.time import utcnow


class CountingCache:
    """The shared cache as the app sees it, counting the trips made to it."""

    def __init__(self, real) -> None:
        self.real, self.gets, self.sets = real, 0, 0

    def get(self, key):
        self.gets += 1
        return self.real.get(key)

    def set(self, key, value):
        self.sets += 1
        return self.real.set(key, value)


@pytest.fixture
def shared(app, monkeypatch):
    counting = CountingCache(fragments.cache)
    monkeypatch.setattr(fragments, "cache", counting)
    with app.test_request_context("/"):
        yield counting


def test_a_value_read_again_costs_no_trip_to_the_shared_cache(shared):
    computed = []
    for _ in range(3):
        assert remember("t", [1], lambda: computed.append(1) or "<p>x</p>") == "<p>x</p>"
    assert computed == [1]
    assert (shared.gets, shared.sets) == (1, 1)


def test_a_value_another_worker_stored_is_read_once_then_kept_here(shared):
    key = fragments.cache_key("t", [2])
    shared.real.set(key, "<p>from the other worker</p>")
    for _ in range(3):
        assert remember("t", [2], lambda: "<p>computed</p>") == "<p>from the other worker</p>"
    assert (shared.gets, shared.sets) == (1, 0)


def test_a_value_that_is_not_text_comes_back_as_a_copy_of_its_own(shared):
    first = remember("t", [3], lambda: {"names": ["王**"]})
    first["names"].append("changed by a reader")
    assert remember("t", [3], lambda: {}) == {"names": ["王**"]}


def test_a_copy_time_made_stale_is_taken_again_from_the_shared_cache(shared):
    """Another worker replaced an entry whose day count ticked: this one's old copy is not used."""
    now = utcnow()
    key = fragments.cache_key("u", [1])
    fragments.local_copies().put(key, ("old day count", now - timedelta(seconds=1)))
    shared.real.set(key, ("new day count", now + timedelta(hours=1)))
    computed = []
    value = remember_until("u", [1], lambda: computed.append(1) or ("computed", now))
    assert (value, computed) == ("new day count", [])
    assert remember_until("u", [1], lambda: ("computed", now)) == "new day count"
    assert shared.gets == 1


def test_the_copies_keep_to_their_size_dropping_the_least_recently_used_first():
    one = "x" * 1000
    local = LocalCopies(limit=3 * len(one) + 300)
    for key in ("a", "b", "c"):
        local.put(key, one)
    assert local.get("a") == one  # now "b" is the least recently used
    local.put("d", one)
    assert [local.get(k) is not None for k in "abcd"] == [True, False, True, True]
    local.put("huge", "y" * 10_000)  # bigger than all of it: not kept, nothing dropped for it
    assert local.get("huge") is None and local.get("d") == one


def test_a_size_of_nothing_keeps_nothing():
    local = LocalCopies(limit=0)
    local.put("a", "text")
    assert local.get("a") is None
