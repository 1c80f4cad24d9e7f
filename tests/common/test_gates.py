"""common.gates.KeyedGate: at most `size` holders of a key, the rest served in arrival
order; nothing kept for a key nobody holds."""

import threading
import time

import pytest

from common.gates import KeyedGate


def _wait_until(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.001)


def test_at_most_size_holders_of_a_key_at_once():
    gate = KeyedGate(lambda: 3)
    inside, most, lock = [0], [0], threading.Lock()

    def work():
        with gate.held([7]):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.005)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 3
    assert gate._entries == {}  # nothing kept once nobody holds the key


def test_waiters_are_served_in_the_order_they_came_and_a_releaser_cannot_overtake():
    gate = KeyedGate(lambda: 1)
    gate.acquire("sku")
    order = []

    def wait(name):
        with gate.held(["sku"]):
            order.append(name)

    threads = []
    for name in "abcde":
        t = threading.Thread(target=wait, args=(name,))
        t.start()
        threads.append(t)
        _wait_until(lambda n=len(threads): len(gate._entries["sku"].waiting) == n)
    gate.release("sku")
    gate.acquire("sku")  # the releaser comes straight back: it queues behind all five
    order.append("releaser")
    gate.release("sku")
    for t in threads:
        t.join()
    assert order == ["a", "b", "c", "d", "e", "releaser"]


def test_other_keys_do_not_wait_and_keys_are_taken_in_sorted_order():
    gate = KeyedGate(lambda: 1)
    taken = []
    original = gate.acquire

    def spy(key):
        taken.append(key)
        original(key)

    gate.acquire = spy
    with gate.held([9, 2, 5, 2]):
        assert taken == [2, 5, 9]
        with gate.held([4]):  # another key is free
            assert gate.holders(4) == 1
    assert gate._entries == {}


def test_a_failure_inside_gives_the_slots_back():
    gate = KeyedGate(lambda: 1)
    with pytest.raises(RuntimeError):
        with gate.held([1, 2]):
            raise RuntimeError
    assert gate._entries == {}
    with gate.held([1, 2]):
        assert gate.holders(1) == gate.holders(2) == 1


def test_a_larger_size_lets_waiters_in_at_the_next_release():
    size = [1]
    gate = KeyedGate(lambda: size[0], refresh=0)
    gate.acquire("k")
    done = []
    threads = [threading.Thread(target=lambda: (gate.acquire("k"), done.append(1)))
               for _ in range(3)]
    for t in threads:
        t.start()
    _wait_until(lambda: len(gate._entries["k"].waiting) == 3)
    size[0] = 4
    gate.release("k")
    for t in threads:
        t.join()
    assert len(done) == 3 and gate.holders("k") == 3


def test_the_size_is_read_at_most_every_refresh_seconds():
    reads = []
    gate = KeyedGate(lambda: reads.append(1) or 2, refresh=60)
    for _ in range(5):
        with gate.held([1]):
            pass
    assert len(reads) == 1
    gate.forget_size()
    gate.size()
    assert len(reads) == 2
