"""workers.run: waiting for Redis backs off and can be bounded; the worker class is chosen in one place."""

from workers import run


def test_waiting_for_a_missing_redis_backs_off_and_gives_up_when_bounded(tmp_path):
    pauses = []
    url = f"unix://{tmp_path}/nothing.sock"
    assert run.wait_for_redis(url, give_up_after=0, sleep=pauses.append) is False
    pauses.clear()
    calls = iter(range(8))

    def sleep(seconds):  # counts pauses instead of waiting; stops the wait after eight
        pauses.append(seconds)
        if next(calls) == 7:
            raise KeyboardInterrupt

    try:
        run.wait_for_redis(url, sleep=sleep)
    except KeyboardInterrupt:
        pass
    assert pauses[0] == run.FIRST_WAIT and pauses == sorted(pauses) and max(pauses) == run.MAX_WAIT


def test_waiting_for_a_running_redis_returns_at_once(redis_url):
    assert run.wait_for_redis(redis_url, give_up_after=0, sleep=lambda s: None) is True


def test_the_worker_class_is_the_non_forking_one_with_icpsims_scheduler():
    from rq.worker import SimpleWorker

    from workers.worker import Worker

    assert run.worker_class() is Worker and issubclass(Worker, SimpleWorker)
