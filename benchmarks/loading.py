"""How long large and deep rulesets take to load, against the 5-second target.

The fuzzing tests (tests/test_fuzz.py) check that these inputs load or fail cleanly, with only a
hang watchdog; their speed is measured here, where a loaded machine cannot fail a build:

    python benchmarks/loading.py [--repeat R]

Prints a Markdown table: case, lines, median seconds of R loads (each a fresh parse, check and
compile; the Lark parser itself is built once before), the same read back from the on-disk cache
of checked models (``loads(text, cache=True)`` with a fresh cache directory, filled by one
untimed load first; a refused ruleset is never cached, so its two figures are the same work),
and whether the 5 s target is met uncached.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import thidua_rules as tr  # noqa: E402

TARGET = 5.0
CUM4 = (REPO / "rulesets" / "cum4-2023.thidua").read_text(encoding="utf-8")
DEEP = 5000


def _padded(text: str, lines: int) -> str:
    body = text.splitlines()
    per_line = (lines - len(body)) // len(body) + 1
    padding = "\n".join(f"# dòng chú thích số {i}: không ảnh hưởng điểm" if i % 3 else "" for i in range(per_line))
    return "\n".join(f"{line}\n{padding}" for line in body) + "\n"


def _criteria(count: int, *, lines: int = 0) -> str:
    items = "".join(
        f'    criterion C.{i} "Tiêu chí {i}" max 1 {{\n        score min(a, max)\n    }}\n' for i in range(count)
    )
    text = f'ruleset "lon" {{ total {count} }}\nfact a "a": count\nsection C "Mục C" max {count} {{\n{items}}}\n'
    return text + "".join(f"# chú thích {i}\n" for i in range(max(0, lines - text.count("\n"))))


def _problems() -> str:
    text = 'ruleset "loi" { total 1 }\nsection A max 1 { criterion A.1 "t" max 1 { score assessed } }\n'
    return text + "".join(
        f'fact f{i} "Dữ kiện {i}": khong_co_kieu\n' if i % 10 == 0 else f"# dòng {i}\n" for i in range(100_000)
    )


CASES: dict[str, Callable[[], str]] = {
    "Cluster 4 sheet": lambda: CUM4,
    f"{DEEP}-deep parentheses in one rule": lambda: CUM4.replace(
        "score 2 * so_van_ban_tham_muu", "score " + "(" * DEEP + "2" + ")" * DEEP + " * so_van_ban_tham_muu"),
    "100 000-line file (the sheet, padded with comments)": lambda: _padded(CUM4, 100_000),
    "100 000-line file of 5 000 criteria": lambda: _criteria(5000, lines=100_000),
    "100 000-line file with 10 000 problems": _problems,
    "100 000-line file of 33 334 criteria": lambda: _criteria(33_334),
}


def _load(text: str, cache: bool = False) -> None:
    with contextlib.suppress(tr.RulesetError):  # a refused ruleset is timed too
        tr.loads(text, cache=cache)


def _median(text: str, repeat: int, cache: bool) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        _load(text, cache)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    _load(CUM4)  # the parser is built once, as in any long-running process
    print(f"| case | lines | median of {args.repeat} loads (s) | from the model cache (s) | ≤ {TARGET:g} s |")
    print("|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory(prefix="thidua-loading-models-") as models:
        os.environ["THIDUA_RULES_CACHE_DIR"] = models
        for name, make in CASES.items():
            text = make()
            median = _median(text, args.repeat, cache=False)
            _load(text, cache=True)  # stores the checked model (if the ruleset loads)
            cached = _median(text, args.repeat, cache=True)
            print(f"| {name} | {text.count(chr(10)):,} | {median:.2f} | {cached:.2f} | "
                  f"{'met' if median <= TARGET else 'missed'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
