"""Threads and signals: one client shared by 8 threads at once (also while its token is
refreshed), other Python threads running while a call waits (the GIL is released), and
Ctrl-C ending a long call at once."""

import _thread
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import tupli
from support import (
    SHORT_ACCESS_SECS,
    benchmark_query,
    make_tuples,
    memory_client,
    peer,
    unique,
)

THREADS = 8


def in_threads(work):
    """Runs ``work(i)`` for i in 0..7, all released at once; answers the results in order."""
    barrier = threading.Barrier(THREADS, timeout=60)

    def start(i):
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(start, range(THREADS)))


def test_one_client_from_eight_threads(user):
    client = user.client

    def work(i):
        query = benchmark_query(name=f"thread-{i}-{unique()}")
        header = client.store_benchmark(query)
        rows = make_tuples(2 + i, seed=i)
        episode = client.record_episode(
            {"benchmark_id": header.id, "metadata": {"thread": i}, "tuples": rows}
        )
        data = f"artifact of thread {i}".encode() * (1000 * (i + 1))
        artifact = client.store_artifact(data, {"name": f"thread-{i}"})
        listed = client.list_episodes(
            tupli.FilterEQ(key="benchmark_id", value=header.id), include_tuples=True
        )
        return query, header, rows, episode, data, artifact, listed, client.load_benchmark(
            header.id
        ), client.load_artifact(artifact.id)

    for i, result in enumerate(in_threads(work)):
        query, header, rows, episode, data, artifact, listed, loaded, back = result
        assert header.hash == query["hash"] and loaded.serialized == query["serialized"]
        assert loaded.metadata.name == query["metadata"]["name"]
        assert (episode.benchmark_id, episode.n_tuples) == (header.id, 2 + i)
        assert [e.id for e in listed] == [episode.id]
        assert [t.model_dump() for t in listed[0].tuples] == rows
        assert listed[0].metadata == {"thread": i}
        assert back == data and artifact.created_by == user.name


def test_eight_threads_through_a_token_refresh(short_url, make_user):
    account = make_user("refresh", server=short_url)
    time.sleep(SHORT_ACCESS_SECS + 1)
    # Every thread finds the access token expired at once.
    headers = in_threads(lambda i: account.client.store_benchmark(benchmark_query()))
    assert [h.created_by for h in headers] == [account.name] * THREADS
    assert len({h.id for h in headers}) == THREADS


@pytest.fixture
def stored(user):
    """A benchmark of the test's user, as loaded."""
    header = user.client.store_benchmark(benchmark_query())
    return user.client.load_benchmark(header.id)


# What the slow proxy holds back: loading a benchmark (a login passes at once).
LOAD = "GET /benchmarks/load"


def logged_in(account, url):
    """A new memory client of ``account`` at ``url``."""
    client = memory_client()
    client.login(account.name, account.password, url=url)
    return client


class Ticker(threading.Thread):
    """A Python thread counting as fast as it can, noting the longest wait between ticks
    while ``measuring`` is set."""

    def __init__(self):
        super().__init__(daemon=True)
        self.done = threading.Event()
        self.measuring = False
        self.ticks = 0
        self.longest = 0.0

    def run(self):
        last = time.perf_counter()
        while not self.done.is_set():
            now = time.perf_counter()
            if self.measuring:
                self.ticks += 1
                self.longest = max(self.longest, now - last)
            last = now


def test_other_threads_run_while_a_call_waits(url, user, stored):
    delay = 1.5
    with peer("slow", url, delay, 60, LOAD) as slow_url:
        client = logged_in(user, slow_url)
        ticker = Ticker()
        ticker.start()
        time.sleep(0.1)
        ticker.measuring = True
        started = time.perf_counter()
        loaded = client.load_benchmark(stored.id)
        took = time.perf_counter() - started
        ticker.measuring = False
        ticker.done.set()
        ticker.join()
    assert loaded.model_dump() == stored.model_dump()
    assert took >= delay
    # Holding the GIL through the wait would stop the ticker for the whole call.
    assert ticker.longest < 0.25, f"the ticker stood still for {ticker.longest:.3f} s"
    assert ticker.ticks > 10_000


def interrupted(call, interrupt):
    """Runs ``call()`` with ``interrupt()`` fired from a timer thread 0.5 s in; answers how
    it ended ("interrupted", "returned", "raised …") and how long it took."""
    timer = threading.Timer(0.5, interrupt)
    started = time.perf_counter()
    try:
        try:
            timer.start()
            call()
            outcome = "returned"
        except KeyboardInterrupt:
            outcome = "interrupted"
        except Exception as err:
            outcome = f"raised {err!r}"
        took = time.perf_counter() - started
    except KeyboardInterrupt:  # only after the call ended some other way
        outcome, took = "interrupted late", time.perf_counter() - started
    finally:
        timer.cancel()
        timer.join()
    return outcome, took


INTERRUPTS = {
    "raise_signal": lambda: signal.raise_signal(signal.SIGINT),
    "interrupt_main": _thread.interrupt_main,
}


@pytest.mark.parametrize("interrupt", INTERRUPTS.values(), ids=INTERRUPTS.keys())
def test_ctrl_c_ends_a_long_load(url, user, stored, interrupt):
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with peer("slow", url, 20, 40, LOAD) as slow_url:
        client = logged_in(user, slow_url)
        outcome, took = interrupted(lambda: client.load_benchmark(stored.id), interrupt)
        assert outcome == "interrupted"
        assert took < 3.0, f"KeyboardInterrupt came {took:.1f} s after the call began"
        # The client still works.
        listed = client.list_benchmarks(tupli.FilterEQ(key="id", value=stored.id))
        assert [b.hash for b in listed] == [stored.hash]


@pytest.mark.parametrize("interrupt", INTERRUPTS.values(), ids=INTERRUPTS.keys())
def test_ctrl_c_ends_a_call_to_a_silent_server(interrupt):
    with peer("silent", 20) as silent_url:
        client = memory_client(silent_url)
        outcome, took = interrupted(lambda: client.list_benchmarks(), interrupt)
    assert outcome == "interrupted"
    assert took < 3.0, f"KeyboardInterrupt came {took:.1f} s after the call began"
