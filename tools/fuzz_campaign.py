"""A long fuzzing campaign: the property tests of tests/test_fuzz.py with thousands of examples.

    python tools/fuzz_campaign.py --minutes 20 --seed 1
    python tools/fuzz_campaign.py --examples 5000 --rounds 1 --seed 7 -k extractor --no-shrink

Runs pytest on tests/test_fuzz.py under the "campaign" hypothesis profile (tests/conftest.py)
in rounds: each round runs every target with --examples examples from its own seed (seed,
seed + 1, ...), and rounds go on until --rounds are done or --minutes have passed (a round
that has started is finished); the costlier targets run a share of --examples (see
`scaled` in tests/test_fuzz.py). The sentence model is replaced by the tests' bag-of-words
stand-in, as in the test suite. At the end it prints the examples run per target and every
failure found, with the falsifying example hypothesis reports; the full pytest output of
each round is kept in --log (default fuzz_campaign.log). Exit status 1 when something failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = "tests/test_fuzz.py"

# What --hypothesis-show-statistics prints for each test.
TARGET = re.compile(r"^(?P<target>tests/test_fuzz\.py::\S+):\s*$", re.M)
EXAMPLES = re.compile(r"- (?P<passing>\d+) passing(?: examples?)?, (?P<failing>\d+) failing(?: examples?)?, "
                      r"(?:and )?(?P<invalid>\d+) invalid")
FAILED = re.compile(r"^FAILED (?P<target>\S+)(?: - (?P<reason>.*))?$", re.M)


def run_round(seed: int, examples: int, selection: str | None, profile: str, log) -> tuple[Counter, list[str], str]:
    """(examples per target, failed targets, the round's output)."""
    command = [sys.executable, "-m", "pytest", TESTS, "-p", "no:cacheprovider", "-rf",
               f"--hypothesis-profile={profile}", f"--hypothesis-seed={seed}", "--hypothesis-show-statistics",
               "-k", selection or "not hundred_thousand"]
    environment = dict(os.environ, PARLEY_FUZZ_EXAMPLES=str(examples),
                       PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    output = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True).stdout
    log.write(f"===== round with seed {seed}\n{output}\n")
    log.flush()
    counts: Counter = Counter()
    blocks = TARGET.split(output)  # [before, target, its statistics, target, its statistics, ...]
    for target, statistics in zip(blocks[1::2], blocks[2::2]):
        for found in EXAMPLES.finditer(statistics):
            counts[target] += int(found["passing"]) + int(found["failing"])
    failed = [f"{m['target']} - {m['reason'] or ''}".strip() for m in FAILED.finditer(output)]
    return counts, failed, output


def falsifying_examples(output: str) -> list[str]:
    """The 'Falsifying example' paragraphs of a pytest run, each as printed."""
    return re.findall(r"^Falsifying example.*?(?=^\S|\Z)", output, re.M | re.S)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000,
                        help="seed of the first round (default: from the clock; printed)")
    parser.add_argument("--examples", type=int, default=1000, help="examples per target and round (default 1000)")
    parser.add_argument("--minutes", type=float, default=20.0, help="start no round after this many minutes")
    parser.add_argument("--rounds", type=int, default=1000, help="at most this many rounds")
    parser.add_argument("-k", dest="selection", help="pytest -k expression choosing targets")
    parser.add_argument("--no-shrink", action="store_true",
                        help="report failures as found, not minimised (profile 'triage'): faster when something fails")
    parser.add_argument("--log", type=Path, default=Path("fuzz_campaign.log"))
    args = parser.parse_args()

    started = time.monotonic()
    totals: Counter = Counter()
    failures: list[tuple[int, str, list[str]]] = []
    print(f"fuzz campaign: seed {args.seed}, {args.examples} examples per target and round, "
          f"{args.minutes:g} minutes at most", flush=True)
    with args.log.open("w", encoding="utf-8") as log:
        for number in range(args.rounds):
            if number and time.monotonic() - started > args.minutes * 60:
                break
            seed = args.seed + number
            counts, failed, output = run_round(seed, args.examples, args.selection,
                                               "triage" if args.no_shrink else "campaign", log)
            totals += counts
            elapsed = (time.monotonic() - started) / 60
            print(f"round {number + 1} (seed {seed}): {sum(counts.values())} examples, {len(failed)} failing "
                  f"targets, {elapsed:.1f} min", flush=True)
            if failed:
                failures.append((seed, "\n".join(failed), falsifying_examples(output)))
            if not counts and not failed:
                print(output[-3000:])  # nothing ran: show why
                return 2
    print("\nexamples per target:")
    for target, count in sorted(totals.items()):
        print(f"  {count:>8}  {target.removeprefix('tests/test_fuzz.py::')}")
    print(f"  {sum(totals.values()):>8}  in all, {(time.monotonic() - started) / 60:.1f} minutes")
    if not failures:
        print("\nno failures")
        return 0
    print(f"\nfailures (full output in {args.log}):")
    for seed, failed, examples in failures:
        print(f"- seed {seed}:\n{failed}")
        for example in examples:
            print(example.rstrip())
    return 1


if __name__ == "__main__":
    sys.exit(main())
