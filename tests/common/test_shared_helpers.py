"""The helpers the apps share: the batched sweep loop and the idempotent write."""

import pytest
from django.utils import timezone

from common.deadlines import sweep_batches
from common.idempotency import once
from common.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _beats(*names):
    for name in names:
        WorkerHeartbeat.objects.create(name=name, beat_at=timezone.now())


def test_a_sweep_pages_over_what_is_due_and_counts_what_it_moved():
    _beats("a", "b", "c", "d", "e")
    batches = []

    def handle(ids):
        batches.append(ids)
        WorkerHeartbeat.objects.filter(pk__in=ids).delete()  # moved: no longer due

    assert sweep_batches(WorkerHeartbeat.objects.all(), handle, 2) == 5
    assert batches == [["a", "b"], ["c", "d"], ["e"]]


def test_a_row_that_fails_is_skipped_for_the_rest_of_the_run():
    _beats("a", "b", "c")
    failed = set()

    def handle(ids):
        moved = 0
        for pk in ids:
            if pk == "a":
                failed.add(pk)  # stays due, not taken again
                continue
            WorkerHeartbeat.objects.filter(pk=pk).delete()
            moved += 1
        return moved

    assert sweep_batches(WorkerHeartbeat.objects.all(), handle, 1, skip=failed) == 2
    assert list(WorkerHeartbeat.objects.values_list("pk", flat=True)) == ["a"]


def test_a_repeated_key_gets_the_first_row_and_so_does_a_lost_race():
    _beats("k")
    row, created = once(lambda: WorkerHeartbeat.objects.filter(pk="k").first(),
                        lambda: pytest.fail("created twice"))
    assert (row.pk, created) == ("k", False)

    looks = []

    def find():
        looks.append(1)
        # The other request's row is not visible yet when this one first looks.
        return None if len(looks) == 1 else WorkerHeartbeat.objects.get(pk="k")

    row, created = once(find, lambda: WorkerHeartbeat.objects.create(
        name="k", beat_at=timezone.now()))
    assert (row.pk, created, len(looks)) == ("k", False, 2)

    row, created = once(lambda: WorkerHeartbeat.objects.filter(pk="new").first(),
                        lambda: WorkerHeartbeat.objects.create(name="new",
                                                               beat_at=timezone.now()))
    assert (row.pk, created) == ("new", True)
