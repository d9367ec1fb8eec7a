"""False accepts of the answer judge over a large real bank (OpenTriviaQA), old judge against new.

    python -m benchmarks.judge_bank [--data DIR] [--limit N] [--old-rev REV | --old-file PATH]
                                    [--zipf 1.5 2.0 2.5 3.0] [--sample 12] [--seed 1]

The bank is read where it lies (default `../shared/data/opentriviaqa/categories/`
next to the repository; it is never copied in) with the project's own parser,
`kwissle.bank.formats.parse_opentriviaqa`, which keeps only the questions that
pass the one validation of a question.

For each question, its nearest other answers are typed against it, as a battle
judges a typed answer (`judge(typed, answers, wrong)`): up to 5 other answers
nearest by OSA distance over the normalised words joined without spaces, within
`MAX_TYPOS` (3) edits, leaving out those that normalise to one of the question's
own answers (the same answer, rightly accepted). Both judges accept nothing
farther than that (the new judge's documented bound; the old one allowed at most
3 typos over the same words, or a spacing difference only), so no pair either
judge could accept is left out. Every acceptance is a false accept: one question's
answer scoring for another question whose answer is something else.

As a counterweight it also types, for each question, three honest typos of its
own answer (two neighbouring letters swapped, a letter dropped, a letter doubled,
all in the longest word) and counts how many each judge forgives.

The new judge runs with the default lexicon, then with it extended by every
answer and alternative of the bank (as the server does with its stored
questions). The old judge is the module as it was before the lexicon (`git show REV:kwissle/
game/judge.py`, REV 7828609 by default), loaded beside the new one. With
`--zipf`, the new judge is also run with lexicons of other wordfreq thresholds
(the figures behind `kwissle.game.lexicon.MIN_ZIPF`). Figures only, no pass or fail.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
import types
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from kwissle.bank.formats import parse_opentriviaqa
from kwissle.bank.importer import category_from_filename, read_text
from kwissle.game.judge import MAX_TYPOS, judge, normalize
from kwissle.game.lexicon import Lexicon
from kwissle.model import NewQuestion

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "opentriviaqa" / "categories"
OLD_REV = "7828609"  # the last commit with the judge before the lexicon
NEAREST = 5

Judge = Callable[[str, Sequence[str], Sequence[str]], bool]
Pair = tuple[str, NewQuestion]  # typed text, question it is typed against


def load_bank(folder: Path, limit: int | None, seed: int) -> tuple[list[NewQuestion], int, int]:
    """The questions of every category file in `folder` (a seeded sample of `limit`), files, skips."""
    questions: list[NewQuestion] = []
    files = skipped = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith(("README", "LICENSE")):
            continue
        parsed = parse_opentriviaqa(read_text(path), category_from_filename(path))
        questions += parsed.questions
        skipped += len(parsed.skipped)
        files += 1
    if limit is not None and limit < len(questions):
        questions = random.Random(seed).sample(questions, limit)
    return questions, files, skipped


def key(text: str) -> str:
    """What the nearness of two answers is measured on: the judge's words, joined."""
    return "".join(normalize(text))


def nearest_pairs(questions: list[NewQuestion]) -> list[Pair]:
    """Each question with up to NEAREST other answers within MAX_TYPOS edits of its own."""
    typed_for_key: dict[str, str] = {}  # one original answer text per key
    for question in questions:
        typed_for_key.setdefault(key(question.answer), question.answer)
    by_length: dict[int, list[str]] = defaultdict(list)
    for answer_key in typed_for_key:
        by_length[len(answer_key)].append(answer_key)
    window: dict[int, list[str]] = {}  # keys of a length near enough to be within MAX_TYPOS
    near_cache: dict[str, list[tuple[str, float, int]]] = {}
    pairs: list[Pair] = []
    for question in questions:
        own = {key(answer) for answer in question.answers}
        own_key = key(question.answer)
        length = len(own_key)
        if length not in window:
            window[length] = [k for n in range(length - MAX_TYPOS, length + MAX_TYPOS + 1)
                              for k in by_length.get(n, ())]
        if own_key not in near_cache:
            near_cache[own_key] = process.extract(own_key, window[length], scorer=OSA.distance,
                                                  score_cutoff=MAX_TYPOS, limit=NEAREST + 1 + len(own))
        others = [found for found, _, _ in near_cache[own_key] if found not in own][:NEAREST]
        pairs += [(typed_for_key[other], question) for other in others]
    return pairs


def typo_pairs(questions: list[NewQuestion]) -> list[Pair]:
    """Three honest typos of each question's own answer, in its longest word."""
    pairs: list[Pair] = []
    for question in questions:
        own = {normalize(answer) for answer in question.answers}
        for typo in typos(question.answer):
            if normalize(typo) not in own:
                pairs.append((typo, question))
    return pairs


def typos(answer: str) -> list[str]:
    words = answer.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 4 or not word.isalpha():
        return []
    middle = len(word) // 2
    swapped = word[:middle - 1] + word[middle] + word[middle - 1] + word[middle + 1:]
    dropped = word[:middle] + word[middle + 1:]
    doubled = word[:middle] + word[middle] + word[middle:]
    return [" ".join([*words[:i], variant, *words[i + 1:]]) for variant in (swapped, dropped, doubled)]


def load_old_judge(rev: str | None, file: Path | None) -> Judge | None:
    """The judge module of another revision (or file), loaded beside the current one."""
    if file is not None:
        source = file.read_text(encoding="utf-8")
    else:
        try:
            source = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:kwissle/game/judge.py"],
                                    capture_output=True, text=True, check=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError) as error:
            print(f"old judge not loaded ({error}); pass --old-file PATH", file=sys.stderr)
            return None
    module = types.ModuleType("kwissle_old_judge")
    exec(compile(source, f"old judge ({file or rev})", "exec"), module.__dict__)  # noqa: S102
    return module.judge


@dataclass
class Outcome:
    accepted: list[Pair]
    seconds: float


def run(judge_fn: Judge, pairs: list[Pair]) -> Outcome:
    accepted = []
    began = time.perf_counter()
    for typed, question in pairs:
        if judge_fn(typed, question.answers, question.wrong):
            accepted.append((typed, question))
    return Outcome(accepted, time.perf_counter() - began)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.judge_bank", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="OpenTriviaQA categories folder")
    parser.add_argument("--limit", type=int, default=None, help="a seeded sample of this many questions")
    parser.add_argument("--old-rev", default=OLD_REV, help=f"git revision of the old judge (default {OLD_REV})")
    parser.add_argument("--old-file", type=Path, default=None, help="read the old judge from this file instead")
    parser.add_argument("--zipf", type=float, nargs="*", default=[], help="also try lexicons of these thresholds")
    parser.add_argument("--sample", type=int, default=12, help="false accepts shown per judge (default 12)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"no OpenTriviaQA categories at {args.data}: pass --data DIR", file=sys.stderr)
        return 2

    began = time.perf_counter()
    lexicon = Lexicon.default()
    lexicon_seconds = time.perf_counter() - began
    began = time.perf_counter()
    questions, files, skipped = load_bank(args.data, args.limit, args.seed)
    parse_seconds = time.perf_counter() - began
    began = time.perf_counter()
    pairs = nearest_pairs(questions)
    search_seconds = time.perf_counter() - began
    honest = typo_pairs(questions)
    print(f"OpenTriviaQA at {args.data}: {files} files, {len(questions)} questions kept, {skipped} skipped "
          f"by the parser and validation ({parse_seconds:.1f} s)")
    print(f"lexicon: {len(lexicon)} words, built in {lexicon_seconds:.2f} s; nearest-answer search "
          f"{search_seconds:.1f} s")
    print(f"pairs checked: {len(pairs)} (each question against up to {NEAREST} other answers within "
          f"{MAX_TYPOS} edits); honest typos: {len(honest)}")

    judges: dict[str, Judge] = {}
    old = load_old_judge(args.old_rev, args.old_file)
    if old is not None:
        judges[f"old ({args.old_file or args.old_rev})"] = old
    judges["new"] = partial(judge, lexicon=lexicon)
    bank_texts = [text for question in questions for text in (*question.answers, *question.wrong)]
    judges["new + bank's texts"] = partial(judge, lexicon=lexicon.extended(bank_texts))
    for zipf in args.zipf:
        judges[f"new, zipf {zipf}"] = partial(judge, lexicon=Lexicon.from_sources(min_zipf=zipf))

    print()
    print(f"{'judge':<22} {'false accepts':>14} {'rate':>8} {'µs/call':>8} | {'typos forgiven':>15} {'rate':>7}")
    outcomes = {}
    for name, judge_fn in judges.items():
        wrong = run(judge_fn, pairs)
        typo = run(judge_fn, honest)
        outcomes[name] = wrong
        calls = len(pairs) + len(honest)
        print(f"{name:<22} {len(wrong.accepted):>14} {len(wrong.accepted) / max(len(pairs), 1):>8.2%} "
              f"{(wrong.seconds + typo.seconds) / max(calls, 1) * 1e6:>8.2f} | "
              f"{len(typo.accepted):>15} {len(typo.accepted) / max(len(honest), 1):>7.1%}")

    rng = random.Random(args.seed)
    for name, outcome in outcomes.items():
        if not outcome.accepted or name.startswith("new,"):
            continue
        shown = rng.sample(outcome.accepted, min(args.sample, len(outcome.accepted)))
        print(f"\nsample of the false accepts of the {name} judge:")
        for typed, question in shown:
            print(f"  {typed!r:<32} accepted for {question.answer!r:<32} ({question.text[:60]!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
