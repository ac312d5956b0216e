"""Seed sweep: re-run every seeded snippet with other seeds, through the runner, and list what fails.

    python -m hooks.seeds --seeds 20                 # seeds 1..20 for every seeded snippet
    python -m hooks.seeds --seeds 3 snippets/why-mse-blurs
    python -m hooks.seeds --seeds 20 --record        # also rewrite hooks/seeds-results.md

A snippet that draws random numbers takes its seed from one top-level line, `SEED = 0`.
The sweep writes copies of the snippet that differ only in that line, runs them all in
parallel with the runner (cached in .cache/seeds, so an unchanged snippet is not re-run),
and reports, per snippet, the seeds on which it fails and the first failure. Its claims
must hold for every seed, so a failure here is a bug in the snippet or in the claim.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from hooks import runner

SEED_LINE = re.compile(r"^SEED = (\d+)[ \t]*(#.*)?$", re.M)
# Drawing random numbers: numpy's and torch's generators, and torch's sampling functions.
DRAWS = re.compile(
    r"default_rng|np\.random\.|torch\.(rand|randn|randint|randperm|normal|bernoulli|multinomial|poisson)\b"
    r"|torch\.manual_seed|\.sample\(|\.rsample\("
)
# A seeding call given a literal number instead of SEED (or an expression of it).
LITERAL_SEED = re.compile(r"(default_rng|manual_seed)\(\s*\d")
RECORD = runner.ROOT / "hooks" / "seeds-results.md"
CACHE = runner.ROOT / ".cache" / "seeds"


class SeedLineError(ValueError):
    """A snippet that draws random numbers but cannot be swept."""


def seed_line(path: Path) -> int | None:
    """The line number of the snippet's `SEED = <n>` line; None if it draws no random numbers.

    Raises SeedLineError, naming the file and line, for a snippet that draws random
    numbers without exactly one such line, or that seeds from a literal number.
    """
    source = Path(path).read_text(encoding="utf-8")
    rel = runner.relative(path)
    found = list(SEED_LINE.finditer(source))
    literal = LITERAL_SEED.search(source)
    if literal:
        line = source.count("\n", 0, literal.start()) + 1
        raise SeedLineError(f"{rel}:{line}: seeds from a literal number; seed from SEED")
    if not found:
        if DRAWS.search(source):
            raise SeedLineError(f"{rel}:1: draws random numbers but has no top-level `SEED = <n>` line")
        return None
    if len(found) > 1:
        line = source.count("\n", 0, found[1].start()) + 1
        raise SeedLineError(f"{rel}:{line}: a second `SEED =` line; there must be exactly one")
    return source.count("\n", 0, found[0].start()) + 1


def with_seed(source: str, seed: int) -> str:
    """The snippet's source with its SEED line set to `seed` and nothing else changed."""
    return SEED_LINE.sub(lambda m: f"SEED = {seed}" + (f"  {m.group(2)}" if m.group(2) else ""), source, count=1)


@dataclass
class Sweep:
    seeds: list[int]
    snippets: list[str]  # relative paths of the seeded snippets swept
    failures: dict[str, dict[int, runner.Failure]]  # snippet -> seed -> failure
    seconds: float  # wall time of the sweep
    compute: float  # summed compute of every run, including the runs a cache hit recorded earlier
    executed: int  # runs that executed now (the rest were cache hits from an identical earlier run)
    runs: int  # snippet-seed pairs run


def sweep(paths: list[Path], seeds: list[int], *, jobs: int | None = None, cache: Path = CACHE,
          timeout: float = runner.DEFAULT_TIMEOUT, log=None) -> Sweep:
    """Run each seeded snippet in `paths` once per seed in `seeds`, in parallel, through the runner.

    `seeds` is a list of seeds for every snippet, or a function giving the seeds for one snippet.
    """
    started = time.perf_counter()
    seeded = [p for p in paths if seed_line(p) is not None]
    with tempfile.TemporaryDirectory(prefix="seeds-") as tmp:
        root = Path(tmp)
        variants: dict[str, tuple[str, int]] = {}  # variant rel -> (snippet rel, seed)
        for path in seeded:
            source = path.read_text(encoding="utf-8")
            for seed in (seeds(path) if callable(seeds) else seeds):
                target = root / path.parent.name / f"{path.stem}.seed{seed}.py"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(with_seed(source, seed), encoding="utf-8")
                variants[target.relative_to(root).as_posix()] = (runner.relative(path), seed)
        results = runner.run_snippets(sorted(root.glob("*/*.py")), cache, root=root, jobs=jobs,
                                      timeout=timeout, log=log)
    failures: dict[str, dict[int, runner.Failure]] = {}
    for rel, result in results.items():
        snippet, seed = variants[rel]
        if not result.ok:
            f = result.failure
            failures.setdefault(snippet, {})[seed] = runner.Failure(snippet, f.line, f.kind, f.message, f.details)
    compute = sum(r.seconds for r in results.values())
    executed = sum(not r.cached for r in results.values())
    tried = sorted({seed for _, seed in variants.values()})
    return Sweep(tried, [runner.relative(p) for p in seeded], failures, time.perf_counter() - started, compute,
                 executed, len(variants))


def report(s: Sweep) -> str:
    if not s.snippets:
        return "no seeded snippets among those given (a seeded snippet has one top-level `SEED = <n>` line)"
    lines = [f"seeds {s.seeds[0]}..{s.seeds[-1]} on {len(s.snippets)} seeded snippets: "
             f"{s.runs} runs, {sum(map(len, s.failures.values()))} failed, "
             f"{s.seconds:.0f} s wall ({s.executed} executed now, the rest cached; {s.compute:.0f} s of compute in all)"]
    for snippet in sorted(s.failures):
        by_seed = s.failures[snippet]
        lines.append(f"FAIL {snippet}: seeds {', '.join(map(str, sorted(by_seed)))}")
        for seed in sorted(by_seed)[:3]:
            lines.append(f"    seed {seed}: {by_seed[seed]}")
    return "\n".join(lines)


def _commit() -> str:
    import subprocess

    try:
        out = subprocess.run(["git", "-C", str(runner.ROOT), "log", "-1", "--format=%h %cs"],
                             capture_output=True, text=True, timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        out = []
    return f"commit {out[0]} ({out[1]})" if len(out) == 2 else "an uncommitted tree"


def record(s: Sweep, path: Path = RECORD) -> None:
    """The record the "How this site is built" page includes: what the last full sweep found."""
    import os

    failed = sum(map(len, s.failures.values()))
    rows = "\n".join(f"| `{snippet}` | {', '.join(map(str, sorted(seeds)))} |" for snippet, seeds in sorted(s.failures.items()))
    text = (
        f"Measured by `python -m hooks.seeds --seeds {len(s.seeds)} --record` at {_commit()}, "
        f"on {os.cpu_count()} cores, in one run.\n\n"
        f"| Seeds | Seeded snippets | Runs | Failed runs | Compute, summed as each run measured it | Wall time of this sweep |\n"
        f"|---:|---:|---:|---:|---:|---:|\n"
        f"| {s.seeds[0]}–{s.seeds[-1]} | {len(s.snippets)} | {s.runs} | {failed} "
        f"| {s.compute:.0f} s | {s.seconds:.0f} s ({s.executed} runs executed, the rest from the sweep's cache) |\n"
    )
    if rows:
        text += f"\n| Snippet | Failing seeds |\n|---|---|\n{rows}\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hooks.seeds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="sweep seeds 1..K (default 20)")
    parser.add_argument("--jobs", type=int, default=None, help="parallel runs (default: one per core)")
    parser.add_argument("--record", action="store_true", help=f"rewrite {runner.relative(RECORD)}")
    parser.add_argument("paths", nargs="*", type=Path, help="snippet files or chapter folders (default: all)")
    args = parser.parse_args(argv)
    paths: list[Path] = []
    for p in args.paths or [runner.ROOT / "snippets"]:
        paths += [p.resolve()] if p.is_file() else runner.discover(p) if p.name == "snippets" else sorted(
            q.resolve() for q in p.glob("*.py") if not q.name.startswith("_"))
    problems = []
    for p in paths:
        try:
            seed_line(p)
        except SeedLineError as exc:
            problems.append(str(exc))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    result = sweep(paths, list(range(1, args.seeds + 1)), jobs=args.jobs, log=None)
    print(report(result))
    if args.record:
        record(result)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
