"""Ways to run the same extract stage: in this process, in worker processes on this machine,
or as Ray actors on a cluster.

Every engine runs the tasks of ``tasks.plan`` (batches of short documents, parts of long ones)
with ``run.run_task`` and hands the results to ``tasks.assemble`` in plan order, so each yields
the same (document, extraction) pairs in the same order as ``run.extract_all``, and the
caller stores them as they come, exactly as with one process.

- ``local``, one worker: in this process.
- ``local``, N workers: a ``ProcessPoolExecutor`` of N processes, each loading the spaCy
  pipeline once (its initializer). Processes are started by a fork server (spawn where there is
  none), never by a bare fork: by the time the pool starts, this process runs the progress
  bar's thread and the one loading the sentence model for the reconcile stage, and forking a
  process with threads can leave a lock held forever in the child. This process never imports
  spaCy (``tasks.py`` cuts and joins the work without it); the fork server imports spaCy and
  the extractors once, and each worker forks from it. Workers ignore Ctrl-C: the parent stops
  them and keeps what it stored.
- ``ray``: one Ray actor per worker (plain remote actors, each loading the pipeline once), on
  the cluster at ``ray_address`` or on a local one started for the run and stopped after it.
  Not Ray Data: the documents are already in this process and the results must come back to
  it in order to be stored one by one; Ray Data would bring pyarrow and a streaming
  executor, and turn the records into table blocks, for nothing.

At most a few tasks per worker are in flight, so memory stays flat however many documents.
"""

from __future__ import annotations

import contextlib
import importlib.util
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import threadpoolctl

from parley.extract.tasks import Task, assemble, count_tasks, plan
from parley.lexicon import Lexicon
from parley.records import Document, Extraction

ENGINES = ("local", "ray")
IN_FLIGHT_PER_WORKER = 4  # tasks given out per worker and not yet taken back: a worker keeps busy
                          # while the task ahead of its own (a long part, say) is still running


class EngineError(Exception):
    """An engine that cannot run (Ray missing, a cluster out of reach, a worker that died): one line."""


@dataclass(frozen=True)
class Engine:
    """How to run the extract stage. ``workers``: processes (local) or actors (ray); None means
    every core of this machine (local) or every CPU of the cluster (ray)."""

    name: str = "local"
    workers: int | None = 1
    ray_address: str | None = None

    def in_this_process(self, documents: Sequence[Document], part_chars: int | None = None) -> bool:
        """Whether extracting ``documents`` runs in this process (one worker, or a single
        task), not in worker processes or Ray actors."""
        return self.name == "local" and self.local_workers(documents, part_chars) <= 1

    def local_workers(self, documents: Sequence[Document], part_chars: int | None = None) -> int:
        """Worker processes the local engine starts for ``documents``: no more than their tasks
        (counted only that far: a long document's parts are cut to be counted)."""
        return count_tasks(documents, part_chars, up_to=self.workers or cores())

    def __post_init__(self) -> None:
        if self.name not in ENGINES:
            raise EngineError(f"unknown engine '{self.name}' (known: {', '.join(ENGINES)})")
        if self.workers is not None and self.workers < 1:
            raise EngineError(f"--workers must be 1 or more (got {self.workers})")
        if self.ray_address is not None and self.name != "ray":
            raise EngineError("--ray-address needs --engine ray")
        if self.name == "ray" and importlib.util.find_spec("ray") is None:
            raise EngineError("--engine ray needs Ray: pip install 'parley[ray]'")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_documents(documents: Sequence[Document], lexicon: Lexicon, engine: Engine = Engine(),
                      part_chars: int | None = None) -> Iterator[tuple[Document, Extraction]]:
    """(document, extraction) for each of ``documents``, in ``extract_all``'s order, run by
    ``engine``. Close the iterator (or run it to the end) to stop the workers."""
    if engine.name == "ray":
        yield from _ray(documents, lexicon, engine, part_chars)
        return
    workers = engine.local_workers(documents, part_chars)
    if workers <= 1:
        from parley.extract.run import extract_all
        from parley.nlp import load_pipeline

        yield from extract_all(documents, load_pipeline(), lexicon, part_chars=part_chars)
        return
    yield from _processes(documents, lexicon, workers, part_chars)


def _ordered(tasks: Iterator[Task], submit: Callable[[Task], Any], result: Callable[[Any], Any],
             in_flight: int) -> Iterator[tuple[Task, Any]]:
    """Each task with its result, in the order of ``tasks``, never more than ``in_flight`` submitted
    and not yet taken."""
    waiting: deque[tuple[Task, Any]] = deque()
    for task in tasks:
        waiting.append((task, submit(task)))
        if len(waiting) >= in_flight:
            done, handle = waiting.popleft()
            yield done, result(handle)
    while waiting:
        done, handle = waiting.popleft()
        yield done, result(handle)


# ---- worker processes on this machine

_worker: dict[str, Any] = {}  # in a worker process: its pipeline and lexicon


def one_thread() -> None:
    """Numerical libraries in this process use one thread: N workers on N cores each running
    OpenBLAS's and OpenMP's pools of N threads would fight over the cores (spinning, mostly)."""
    threadpoolctl.threadpool_limits(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def _start_worker(lexicon: Lexicon) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    one_thread()
    from parley.nlp import load_pipeline

    _worker["nlp"], _worker["lexicon"] = load_pipeline(), lexicon


def _work_in_worker(work: tuple[list[Document], bool]) -> Any:
    from parley.extract.run import run_task

    return whole(run_task(work, _worker["nlp"], _worker["lexicon"]))


def whole(result: Any) -> Any:
    """A task's result to send back: a batch's extractions all done (``run_task`` yields them
    one by one, so that in this process each is stored as soon as it is made)."""
    return result if isinstance(result, tuple) else list(result)


def _process_context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["parley.extract.run"])  # spaCy and the extractors, imported once
        return context
    return multiprocessing.get_context("spawn")


def _processes(documents: Sequence[Document], lexicon: Lexicon, workers: int,
               part_chars: int | None) -> Iterator[tuple[Document, Extraction]]:
    pool = ProcessPoolExecutor(workers, mp_context=_process_context(), initializer=_start_worker,
                               initargs=(lexicon,))
    finished = False
    try:
        yield from assemble(_ordered(plan(documents, part_chars),
                                     lambda task: pool.submit(_work_in_worker, task.work()),
                                     lambda future: future.result(), workers * IN_FLIGHT_PER_WORKER), lexicon)
        finished = True
    except BrokenProcessPool as err:
        raise EngineError(f"an extract worker process died ({err})") from None
    finally:
        if finished:
            pool.shutdown()
        else:  # interrupted, or failed: stop the workers now rather than after their current task
            running = list((getattr(pool, "_processes", None) or {}).values())  # no public way before 3.14
            pool.shutdown(wait=False, cancel_futures=True)
            for process in running:
                with contextlib.suppress(Exception):
                    process.terminate()


# ---- Ray

class _RayExtractor:
    """A Ray actor: the spaCy pipeline loaded once, then one task after another."""

    def __init__(self, lexicon: Lexicon):
        one_thread()
        from parley.nlp import load_pipeline

        self.nlp, self.lexicon = load_pipeline(), lexicon

    def run(self, work: tuple[list[Document], bool]) -> Any:
        from parley.extract.run import run_task

        return whole(run_task(work, self.nlp, self.lexicon))


def _ray(documents: Sequence[Document], lexicon: Lexicon, engine: Engine,
         part_chars: int | None) -> Iterator[tuple[Document, Extraction]]:
    import logging

    import ray  # installed: Engine() checked before any work began

    import parley

    started_here = not ray.is_initialized()
    if started_here:
        try:
            if engine.ray_address:
                # The cluster runs this very parley code (shipped with the job); spaCy, the
                # model and the other dependencies must be installed on its nodes.
                ray.init(address=engine.ray_address, logging_level=logging.WARNING, log_to_driver=False,
                         runtime_env={"py_modules": [os.path.dirname(parley.__file__)]})
            else:
                # "local": a new instance, even if `ray start` left one running here; on the
                # loopback address, since nothing outside this machine needs to reach it
                ray.init(address="local", num_cpus=engine.workers or cores(), include_dashboard=False,
                         _node_ip_address="127.0.0.1",
                         logging_level=logging.WARNING, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as err:
            where = engine.ray_address or "a local Ray cluster"
            raise EngineError(f"cannot start or reach {where}: {str(err).splitlines()[0]}") from None
    actors: list[Any] = []
    try:
        count = max(1, count_tasks(documents, part_chars,
                                   up_to=engine.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))))
        extractor = ray.remote(num_cpus=1)(_RayExtractor)
        actors = [extractor.remote(lexicon) for _ in range(count)]
        queued = [0] * count  # tasks sent to each actor and not yet taken back

        def submit(task: Task) -> tuple[int, Any]:
            actor = queued.index(min(queued))
            queued[actor] += 1
            return actor, actors[actor].run.remote(task.work())

        def result(handle: tuple[int, Any]) -> Any:
            actor, ref = handle
            try:
                value = ray.get(ref)
            except ray.exceptions.RayActorError as err:
                raise EngineError(f"a Ray actor died: {str(err).splitlines()[0]}") from None
            queued[actor] -= 1
            return value

        yield from assemble(_ordered(plan(documents, part_chars), submit, result,
                                     count * IN_FLIGHT_PER_WORKER), lexicon)
    finally:
        for actor in actors:
            with contextlib.suppress(Exception):
                ray.kill(actor)
        if started_here:
            ray.shutdown()
