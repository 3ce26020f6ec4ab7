"""Rarely changed rows: one copy per process while the cache's stamp holds, reloaded when it moves."""

from django.core.cache import cache

from core import caching


def _counting_loader(values):
    calls = []

    def load():
        calls.append(1)
        return values[len(calls) - 1]

    return load, calls


def test_the_process_keeps_its_copy_until_the_rows_are_forgotten(db, django_capture_on_commit_callbacks):
    load, calls = _counting_loader([["first"], ["second"]])
    first = caching.cached("test:rows", load)
    assert caching.cached("test:rows", load) is first and len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        caching.forget("test:rows")
    assert caching.cached("test:rows", load) == ["second"] and len(calls) == 2


def test_a_copy_another_process_stored_is_taken_from_the_cache_without_loading(db):
    load, calls = _counting_loader([["mine"]])
    assert caching.cached("test:rows", load) == ["mine"]
    # Another process reloaded after a change: new stamp, new value.
    cache.set_many({"test:rows": ("theirs", ["theirs"]), "test:rows:stamp": "theirs"})
    assert caching.cached("test:rows", load) == ["theirs"] and len(calls) == 1


def test_a_lost_stamp_means_loading_again(db):
    load, calls = _counting_loader([["one"], ["two"]])
    caching.cached("test:rows", load)
    cache.delete("test:rows:stamp")  # evicted, or the cache restarted
    assert caching.cached("test:rows", load) == ["two"] and len(calls) == 2
