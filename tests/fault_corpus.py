"""The corpus of bad inputs: every way a user (or an attacker) can hand bipsim a bad file,
option or folder, each with what the answer must say.

Each :class:`Case` is a command line whose ``{tmp}`` is the test's temporary folder and
whose files are written there first (small; the oversized ones are generated). The
test (``test_fault_corpus.py``) runs each in-process and checks: exit code 2, one short
message without a traceback naming what ``expect`` lists, nothing left in ``{tmp}/out``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: A "billion laughs": nine levels of nine aliases stand for 9**9 values in 10 lines.
LAUGHS = "[&a [x, x, x, x, x, x, x, x, x], " + ", ".join(
    f"&{c} [" + ", ".join([f"*{p}"] * 9) + "]"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "]"
#: Nested flow lists, 5,000 deep (a ``RecursionError`` in plain PyYAML).
DEEP = "[" * 5000 + "]" * 5000
#: Block mappings nested 60 deep, each on its own line.
DEEP_BLOCK = "".join(" " * i + f"k{i}:\n" for i in range(60)) + " " * 60 + "v: 1\n"
SMALL = ("--set", "population.n_citizens=300", "--set", "population.n_jobcentres=2")
#: A valid targets file, and one target to vary.
TARGET = "T1:\n  statistic: share_job_12m\n  value: 0.06\n  se: 0.015\n"


@dataclass(frozen=True)
class Case:
    """One bad input.

    Attributes:
        id: Test id: ``class-what``.
        argv: The command line; ``{tmp}`` is replaced by the temporary folder.
        files: Files to write first, by name under ``{tmp}``: text, or bytes.
        expect: Parts the error message must contain (``{tmp}`` replaced).
        code: Expected exit code.
    """

    id: str
    argv: tuple[str, ...]
    files: dict[str, str | bytes] = field(default_factory=dict)
    expect: tuple[str, ...] = ()
    code: int = 2


def scenario(id: str, text: str | bytes, *expect: str, extra: tuple[str, ...] = ()) -> Case:
    """``bipsim run {tmp}/s.yaml`` with ``text`` as the scenario."""
    return Case(f"scenario-{id}", ("run", "{tmp}/s.yaml", "--out", "{tmp}/out", *extra),
                {"s.yaml": text}, ("{tmp}/s.yaml", *expect))


def override(id: str, value: str, *expect: str) -> Case:
    """``bipsim run baseline --set VALUE``."""
    return Case(f"set-{id}", ("run", "baseline", "--set", value, "--out", "{tmp}/out"), {},
                ("error: --set: ", *expect))


def timeline(id: str, text: str, *expect: str, extra: tuple[str, ...] = (),
             head: str = "") -> Case:
    """A scenario whose ``timeline:`` list is ``text`` (after the ``head`` lines)."""
    return scenario(f"timeline-{id}", head + "timeline:\n" + text, *expect, extra=extra)


def targets(id: str, text: str | bytes, *expect: str) -> Case:
    """``bipsim calibrate --targets {tmp}/t.yaml`` with ``text`` as the targets."""
    return Case(f"targets-{id}", ("calibrate", "--targets", "{tmp}/t.yaml", "--out",
                                  "{tmp}/out", "--quick"),
                {"t.yaml": text}, ("{tmp}/t.yaml", *expect))


SCENARIOS = [
    # resource exhaustion
    scenario("laughs-known-section", f"caseworkers:\n  annual_turnover: {LAUGHS}\n",
             "line 2", "aliases", "at most"),
    scenario("laughs-name", f"name: {LAUGHS}\n", "line 1", "aliases"),
    scenario("laughs-top-level", f"{LAUGHS}\n", "aliases"),
    scenario("laughs-unknown-section", f"colour: {LAUGHS}\n", "aliases"),
    scenario("laughs-description", f"description: {LAUGHS}\n", "aliases"),
    scenario("laughs-block", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)), "aliases"),
    scenario("alias-recursive-list", "caseworkers: &a [*a]\n", "line 1", "endlessly"),
    scenario("alias-recursive-map", "caseworkers: &a {x: *a}\n", "line 1", "endlessly"),
    scenario("alias-undefined", "caseworkers:\n  caseload: *nothing\n", "line 2",
             "undefined alias"),
    scenario("anchor-duplicate", "a: &x 1\nb: &x 2\n", "duplicate anchor"),
    scenario("deep-flow-5000", f"caseworkers: {DEEP}\n", "line 1", "nested more than"),
    scenario("deep-flow-in-value", f"caseworkers:\n  caseload: {DEEP}\n", "line 2",
             "nested more than"),
    scenario("deep-block", DEEP_BLOCK, "nested more than"),
    scenario("deep-mapping-flow", "caseworkers: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n",
             "nested more than"),
    scenario("many-values", "caseworkers: [" + "1, " * 30_000 + "]\n", "more than",
             "values"),
    scenario("oversized-file", "caseworkers:\n  caseload: " + "9" * 300_000 + "\n",
             "bytes", "at most"),
    scenario("oversized-typo-last-line", "description: |\n" + ("  " + "y" * 98 + "\n")
             * 3000 + "caseworkers:\n  anual_turnover: 0.1\n", "bytes", "at most"),
    scenario("long-value-shortened", "caseworkers:\n  caseload: " + "x" * 200_000 + "\n",
             "line 2", "caseworkers.caseload", "(200,000 characters)"),
    scenario("long-key", "caseworkers:\n  " + "k" * 100_000 + ": 1\n", "line 2",
             "invalid YAML"),
    scenario("long-key-shortened", "caseworkers:\n  " + "k" * 1000 + ": 1\n", "line 2",
             "(1,000 characters)", "at most"),
    scenario("long-section", "s" * 100_000 + ": 1\n", "line 1", "invalid YAML"),
    scenario("long-section-shortened", "s" * 1000 + ": 1\n", "line 1", "(1,000 characters)"),
    scenario("long-name-list", "name: [" + "'abcdefghij', " * 5000 + "]\n", "line 1",
             "expected text"),
    # encoding and file kinds
    scenario("not-utf8", b"caseworkers:\n  caseload: \xff\xfe80\n", "line 2", "not UTF-8"),
    scenario("utf16", "caseworkers:\n  caseload: 80\n".encode("utf-16"), "not UTF-8"),
    scenario("nul-bytes", b"caseworkers:\n  caseload: 8\x000\n", "line 2"),
    scenario("control-char", "caseworkers:\n  caseload: 8\x070\n", "line 2",
             "special characters"),
    Case("scenario-folder", ("run", "{tmp}/d.yaml", "--out", "{tmp}/out"), {"d.yaml/x": "a"},
         ("{tmp}/d.yaml", "folder")),
    Case("scenario-device", ("run", "/dev/null", "--out", "{tmp}/out"), {},
         ("/dev/null", "device")),
    Case("scenario-missing", ("run", "{tmp}/none.yaml", "--out", "{tmp}/out"), {},
         ("{tmp}/none.yaml", "file not found")),
    Case("scenario-unknown-name", ("run", "no_such_scenario", "--out", "{tmp}/out"), {},
         ("no_such_scenario", "available scenarios")),
    # tags
    scenario("tag-python-object", "caseworkers:\n  caseload: !!python/object/apply:os.system "
             "['echo owned']\n", "line 2", "!!python/object/apply:os.system", "not allowed"),
    scenario("tag-python-name", "name: !!python/name:os.system\n", "line 1", "not allowed"),
    scenario("tag-python-module", "x: !!python/module:os\n", "not allowed"),
    scenario("tag-custom", "caseworkers:\n  caseload: !foo 80\n", "line 2", "!foo"),
    scenario("tag-binary", "caseworkers:\n  caseload: !!binary aGVsbG8=\n", "!!binary"),
    scenario("tag-set", "caseworkers: !!set {a, b}\n", "!!set"),
    scenario("tag-omap", "caseworkers: !!omap [a: 1]\n", "!!omap"),
    scenario("tag-on-key", "caseworkers:\n  !!python/none caseload: 80\n", "not allowed"),
    scenario("tag-in-alias", "x: &a !!python/name:os.system\ncaseworkers: *a\n",
             "not allowed"),
    scenario("tag-int-abc", "caseworkers:\n  caseload: !!int abc\n", "line 2",
             "cannot read it as !!int", "allowed"),
    scenario("tag-float-abc", "caseworkers:\n  annual_turnover: !!float abc\n", "line 2",
             "!!float", "allowed"),
    scenario("tag-bool-maybe", "caseworkers:\n  caseload: !!bool maybe\n", "!!bool"),
    scenario("tag-timestamp-bad", "caseworkers:\n  caseload: !!timestamp yesterday\n",
             "!!timestamp"),
    # structure
    scenario("top-level-list", "- caseworkers\n", "line 1", "top level must be a mapping"),
    scenario("top-level-scalar", "hello\n", "top level must be a mapping"),
    scenario("two-documents", "a: 1\n---\nb: 2\n", "line 2", "single document"),
    scenario("section-a-list", "caseworkers: [1, 2]\n", "line 1", "caseworkers",
             "expected a mapping"),
    scenario("section-a-value", "caseworkers: 5\n", "caseworkers", "expected a mapping"),
    scenario("unknown-section", "casewokers:\n  caseload: 80\n", "line 1", "casewokers",
             "did you mean"),
    scenario("unknown-parameter", "caseworkers:\n  casload: 80\n", "line 2",
             "caseworkers.casload", "did you mean"),
    scenario("duplicate-section", "caseworkers: {}\ncaseworkers: {}\n", "line 2",
             "duplicate key"),
    scenario("duplicate-parameter", "caseworkers:\n  caseload: 80\n  caseload: 90\n",
             "line 3", "duplicate key", "line 2"),
    scenario("empty-key", ": 1\n", "line 1", "invalid YAML"),
    scenario("null-key", "~: 1\n", "line 1", "unknown section"),
    scenario("number-key", "caseworkers:\n  1: 2\n", "line 2", "caseworkers.1"),
    scenario("key-a-list", "caseworkers:\n  [a, b]: 1\n", "line 2", "plain names"),
    scenario("key-a-mapping", "{a: 1}: 2\n", "plain names"),
    scenario("value-a-list", "caseworkers:\n  caseload: [80, 90]\n", "line 2",
             "expected a single value", "allowed"),
    scenario("value-a-mapping", "caseworkers:\n  caseload: {n: 80}\n", "line 2",
             "expected a single value"),
    scenario("merge-key", "caseworkers:\n  <<: {caseload: 80}\n", "line 2",
             "caseworkers.<<"),
    scenario("name-a-mapping", "name: {a: 1}\n", "line 1", "name", "expected text"),
    scenario("description-a-list", "description: [a]\n", "description"),
    # invalid YAML
    scenario("unclosed-flow", "caseworkers: {caseload: 80\n", "invalid YAML"),
    scenario("unclosed-quote", "name: 'baseline\n", "invalid YAML"),
    scenario("tab-indent", "caseworkers:\n\tcaseload: 80\n", "line 2", "invalid YAML"),
    scenario("bad-indent", "caseworkers:\n  caseload: 80\n bad: 1\n", "line 3",
             "invalid YAML"),
    scenario("flow-double-comma", "caseworkers: {caseload: 80,, x: 1}\n", "line 1",
             "invalid YAML"),
    scenario("stray-colon", "caseworkers:\n  caseload: 80: 90\n", "line 2", "invalid YAML"),
    scenario("directive-junk", "%YAML 9.9\n---\na: 1\n", "invalid YAML"),
    # values
    scenario("nan", "caseworkers:\n  annual_turnover: .nan\n", "line 2",
             "caseworkers.annual_turnover", "allowed"),
    scenario("inf", "caseworkers:\n  annual_turnover: .inf\n", "line 2", "allowed"),
    scenario("minus-inf", "caseworkers:\n  caseload: -.inf\n", "line 2", "allowed"),
    scenario("negative-count", "population:\n  n_citizens: -5\n", "line 2",
             "population.n_citizens", "allowed"),
    scenario("zero-citizens", "population:\n  n_citizens: 0\n", "population.n_citizens"),
    scenario("huge-int", "population:\n  n_citizens: " + "9" * 400 + "\n",
             "population.n_citizens", "allowed"),
    scenario("bool-for-int", "caseworkers:\n  caseload: true\n", "caseworkers.caseload"),
    scenario("text-for-float", "caseworkers:\n  annual_turnover: lots\n",
             "caseworkers.annual_turnover", "'lots'"),
    scenario("share-above-one", "caseworkers:\n  annual_turnover: 1.5\n",
             "caseworkers.annual_turnover", "allowed"),
    scenario("unknown-choice", "interventions:\n  placement_timing: sometimes\n",
             "interventions.placement_timing", "allowed"),
    scenario("null-for-number", "caseworkers:\n  caseload:\n", "caseworkers.caseload"),
    scenario("date-for-number", "caseworkers:\n  caseload: 2024-01-01\n",
             "caseworkers.caseload"),
    scenario("negative-seed", "run:\n  seed: -1\n", "run.seed", "allowed"),
    scenario("zero-weeks", "run:\n  weeks: 0\n", "run.weeks", "allowed"),
    # extends
    Case("scenario-extends-etc-passwd", ("run", "{tmp}/s.yaml", "--out", "{tmp}/out"),
         {"s.yaml": "extends: /etc/passwd\n"}, ("/etc/passwd", "top level must be a mapping",
                                                "characters)")),
    scenario("extends-missing", "extends: nowhere.yaml\n", "line 1", "extends",
             "file not found"),
    scenario("extends-folder", "extends: /tmp\n", "extends"),
    scenario("extends-device", "extends: /dev/zero\n", "extends"),
    scenario("extends-self", "extends: s.yaml\n", "extends loop"),
    scenario("extends-empty", "extends:\n", "extends", "expected a file"),
    scenario("extends-list", "extends: [a, b]\n", "line 1: extends", "given 'a', file not found"),
    scenario("extends-list-of-lists", "extends: [[a]]\n", "extends", "expected a file"),
    Case("scenario-extends-bad-parent", ("run", "{tmp}/child.yaml", "--out", "{tmp}/out"),
         {"child.yaml": "extends: parent.yaml\n", "parent.yaml": "caseworkers:\n  x: 1\n"},
         ("{tmp}/parent.yaml", "line 2", "caseworkers.x")),
    Case("scenario-extends-loop", ("run", "{tmp}/a.yaml", "--out", "{tmp}/out"),
         {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"},
         ("extends loop", "a.yaml -> ", "b.yaml")),
    Case("scenario-extends-laughs-parent", ("run", "{tmp}/c.yaml", "--out", "{tmp}/out"),
         {"c.yaml": "extends: p.yaml\n", "p.yaml": f"name: {LAUGHS}\n"},
         ("{tmp}/p.yaml", "aliases")),
    # timeline: reforms on a date (what may change, when, how)
    timeline("not-a-lever", "  - from_week: 10\n    set: {exits.p_job: 0.01}\n", "line 3",
             "timeline.set.exits.p_job", "not a lever", "allowed: a live lever"),
    timeline("caseload-out-of-range", "  - from_week: 10\n    set: {caseworkers.caseload: 2}\n",
             "line 3", "timeline.set.caseworkers.caseload", "given 2", "5 to 400"),
    timeline("caseload-text", "  - from_week: 10\n    set: {caseworkers.caseload: many}\n",
             "line 3", "timeline.set.caseworkers.caseload", "given 'many'"),
    timeline("context", "  - from_week: 10\n    set: {run.weeks: 40}\n", "line 3",
             "timeline.set.run.weeks", "not a lever (context"),
    timeline("unknown-lever", "  - from_week: 10\n    set: {meetings.intervall: 2}\n",
             "line 3", "timeline.set.meetings.intervall", "did you mean meetings.interval"),
    timeline("beyond-weeks", "  - from_week: 300\n    set: {meetings.interval: 2}\n",
             "line 2", "timeline.from_week", "beyond the run's 208 weeks", "by week 208"),
    timeline("beyond-flag-weeks", "  - from_week: 60\n    set: {meetings.interval: 2}\n",
             "line 2", "beyond the run's 50 weeks", "--weeks", extra=("--weeks", "50")),
    timeline("phase-in-beyond", "  - from_week: 200\n    phase_in_weeks: 20\n"
             "    set: {meetings.interval: 2}\n", "line 2", "weeks 200-219"),
    timeline("negative-week", "  - from_week: -3\n    set: {meetings.interval: 2}\n",
             "line 2", "timeline.from_week", "given -3", "allowed: a week from 1"),
    timeline("week-zero", "  - from_week: 0\n    set: {meetings.interval: 2}\n",
             "line 2", "given 0", "week 0 is the model as built"),
    timeline("fractional-week", "  - from_week: 2.5\n    set: {meetings.interval: 2}\n",
             "line 2", "given 2.5", "whole number"),
    timeline("text-week", "  - from_week: soon\n    set: {meetings.interval: 2}\n",
             "line 2", "given 'soon'"),
    timeline("negative-phase-in", "  - from_week: 5\n    phase_in_weeks: -1\n"
             "    set: {meetings.interval: 2}\n", "line 3", "timeline.phase_in_weeks",
             "0 or more weeks"),
    timeline("overlap", "  - from_week: 10\n    phase_in_weeks: 10\n"
             "    set: {caseworkers.expectations_training: 1}\n  - from_week: 15\n"
             "    set: {caseworkers.expectations_training: 0}\n", "line 5",
             "timeline.set.caseworkers.expectations_training",
             "overlaps the change from week 10 to week 19", "from week 20 on"),
    timeline("same-week-twice", "  - from_week: 10\n    set: {meetings.interval: 2}\n"
             "  - from_week: 10\n    set: {meetings.interval: 3}\n", "line 4", "overlaps"),
    timeline("date-without-start", "  - from: 2027-01-04\n    set: {meetings.interval: 2}\n",
             "line 2", "timeline.from", "no file gives start_date"),
    timeline("date-before-start", "  - from: 2025-06-01\n    set: {meetings.interval: 2}\n",
             "line 3", "timeline.from", "before start_date 2026-01-05",
             head="start_date: 2026-01-05\n"),
    timeline("bad-date", "  - from: 2027-13-01\n    set: {meetings.interval: 2}\n",
             "line 3", "timeline.from", "a date YYYY-MM-DD", head="start_date: 2026-01-05\n"),
    timeline("bad-start-date", "  - from_week: 3\n    set: {meetings.interval: 2}\n",
             "line 1", "start_date", "a date YYYY-MM-DD", head="start_date: next monday\n"),
    timeline("week-and-date", "  - from_week: 3\n    from: 2026-02-02\n"
             "    set: {meetings.interval: 2}\n", "line 3", "exactly one of from_week",
             head="start_date: 2026-01-05\n"),
    timeline("no-week", "  - set: {meetings.interval: 2}\n", "line 2", "exactly one of"),
    timeline("no-set", "  - from_week: 3\n", "line 2", "missing set"),
    timeline("empty-set", "  - from_week: 3\n    set: {}\n", "line 3", "timeline.set",
             "expected a mapping of levers"),
    timeline("set-a-list", "  - from_week: 3\n    set: [meetings.interval]\n", "line 3",
             "timeline.set", "expected a mapping"),
    timeline("value-out-of-range", "  - from_week: 3\n"
             "    set: {interventions.company_slots_per_100: 500}\n", "line 3",
             "timeline.set.interventions.company_slots_per_100", "out of range", "allowed"),
    timeline("unknown-choice", "  - from_week: 3\n"
             "    set: {interventions.placement_timing: sometimes}\n", "line 3",
             "not an allowed choice", "'early'"),
    timeline("value-a-list", "  - from_week: 3\n    set: {meetings.interval: [2, 3]}\n",
             "line 3", "expected a single value"),
    timeline("unknown-key", "  - from_wek: 3\n    set: {meetings.interval: 2}\n", "line 2",
             "timeline.from_wek", "did you mean from_week"),
    timeline("duplicate-key", "  - from_week: 3\n    from_week: 4\n"
             "    set: {meetings.interval: 2}\n", "line 3", "duplicate key"),
    timeline("a-mapping", "  from_week: 3\n", "line 2", "timeline", "expected a list"),
    timeline("entry-a-value", "  - 52\n", "line 2", "expected a change"),
    timeline("tag", "  - from_week: !!python/object/apply:os.system [id]\n"
             "    set: {meetings.interval: 2}\n", "line 2", "not allowed"),
]

OVERRIDES = [
    override("no-equals", "caseworkers.caseload", "expected group.name=value"),
    override("empty-key", "=5", "expected group.name=value"),
    override("unknown-key", "caseworkers.casload=80", "caseworkers.casload", "did you mean"),
    override("bad-value", "caseworkers.caseload=lots", "caseworkers.caseload", "allowed"),
    override("unclosed-flow", "caseworkers.caseload=[1", "not a valid value"),
    override("deep", f"caseworkers.caseload={DEEP}", "nested more than"),
    override("laughs", f"caseworkers.caseload={LAUGHS}", "aliases"),
    override("tag", "caseworkers.caseload=!!python/object/apply:os.system [id]",
             "not allowed"),
    override("nan", "caseworkers.annual_turnover=.nan", "caseworkers.annual_turnover"),
    override("long-value", "caseworkers.caseload=" + "z" * 100_000, "(100,000 characters)"),
    override("two-documents", "caseworkers.caseload=1\n---\n2", "not a valid value"),
    override("timeline", "timeline.from_week=3", "timeline.from_week", "unknown parameter"),
]

TARGETS = [
    targets("nan-value", TARGET.replace("0.06", ".nan"), "line 3", "T1.value",
            "allowed: a finite number"),
    targets("inf-value", TARGET.replace("0.06", ".inf"), "T1.value", "finite"),
    targets("minus-inf-value", TARGET.replace("0.06", "-.inf"), "T1.value", "finite"),
    targets("nan-se", TARGET.replace("0.015", ".nan"), "line 4", "T1.se", "finite"),
    targets("inf-se", TARGET.replace("0.015", ".inf"), "T1.se", "finite"),
    targets("zero-se", TARGET.replace("0.015", "0"), "T1.se", "positive"),
    targets("negative-se", TARGET.replace("0.015", "-0.1"), "T1.se", "positive"),
    targets("text-se", TARGET.replace("0.015", "small"), "T1.se", "'small'"),
    targets("bool-value", TARGET.replace("0.06", "yes"), "T1.value", "True"),
    targets("missing-value", TARGET.replace("  value: 0.06\n", ""), "T1.value", "missing"),
    targets("nan-in-interval", TARGET.replace("se: 0.015", "interval: [.nan, 1]"),
            "T1.interval", "finite"),
    targets("inf-in-interval", TARGET.replace("se: 0.015", "interval: [0, .inf]"),
            "T1.interval", "finite"),
    targets("interval-three", TARGET.replace("se: 0.015", "interval: [0, 0.05, 1]"),
            "T1.interval", "[low, high]"),
    targets("interval-reversed", TARGET.replace("se: 0.015", "interval: [1, 0]"),
            "impossible interval"),
    targets("interval-mapping", TARGET.replace("se: 0.015", "interval: {low: 0}"),
            "T1.interval", "a mapping"),
    targets("se-and-interval", TARGET + "  interval: [0, 1]\n", "exactly one"),
    targets("duplicate-target", TARGET + TARGET.replace("0.06", "0.07"), "line 5", "T1",
            "given twice", "first on line 1"),
    targets("duplicate-key", TARGET + "  value: 0.07\n", "line 5", "T1.value",
            "given twice"),
    targets("unknown-key", TARGET + "  colour: red\n", "line 5", "T1.colour",
            "unknown key", "allowed"),
    targets("misspelt-key", TARGET.replace("statistic", "statistc"), "T1.statistc",
            "did you mean statistic"),
    targets("unknown-statistic", TARGET.replace("share_job_12m", "share_job_12"),
            "T1.statistic", "did you mean 'share_job_12m'"),
    targets("statistic-a-list", TARGET.replace("share_job_12m", "[a, b]"), "T1.statistic"),
    targets("bad-scale", TARGET + "  scale: cubic\n", "T1.scale", "allowed: linear, log"),
    targets("bad-kind", TARGET + "  kind: guess\n", "T1.kind", "allowed: estimate"),
    targets("log-negative", TARGET.replace("0.06", "-1") + "  scale: log\n",
            "positive on the log scale"),
    targets("definition-a-list", TARGET + "  definition: [a]\n", "T1.definition",
            "allowed: text"),
    targets("bool-se", TARGET.replace("0.015", "true"), "T1.se", "True"),
    targets("value-a-mapping", TARGET.replace("0.06", "{x: 1}"), "T1.value", "a mapping"),
    targets("null-target", "T1:\n", "line 1", "T1", "expected a mapping"),
    targets("two-documents", TARGET + "---\n" + TARGET, "single document"),
    targets("tab-indent", "T1:\n\tvalue: 1\n", "line 2", "invalid YAML"),
    targets("target-a-number", "T1: 0.06\n", "line 1", "T1", "expected a mapping"),
    targets("top-level-list", "- T1\n", "expected a mapping of target names"),
    targets("empty-file", "", "expected a mapping of target names"),
    targets("empty-mapping", "{}\n", "expected a mapping of target names"),
    targets("key-not-scalar", "[a]: 1\n", "plain names"),
    targets("tag-python", TARGET.replace("share_job_12m",
                                         "!!python/object/apply:os.system [echo hi]"),
            "line 2", "not allowed"),
    targets("tag-custom", TARGET.replace("0.06", "!pct 6"), "line 3", "!pct"),
    targets("tag-int-abc", TARGET.replace("0.06", "!!int abc"), "line 3", "!!int",
            "allowed"),
    targets("not-utf8", b"T1:\n  statistic: \xff\xfe\n", "line 2", "not UTF-8"),
    targets("deep", f"T1: {DEEP}\n", "nested more than"),
    targets("laughs", f"T1:\n  statistic: share_job_12m\n  definition: {LAUGHS}\n",
            "aliases"),
    targets("recursive-alias", "T1: &a {statistic: *a}\n", "endlessly"),
    targets("flow-malformed", "T1: {statistic: share_job_12m, value: 0.06,, se: 0.1}\n",
            "line 1", "invalid YAML"),
    targets("unclosed-flow", "T1: {statistic: share_job_12m\n", "invalid YAML"),
    targets("oversized", "T1:\n  definition: " + "d" * 300_000 + "\n", "bytes", "at most"),
    targets("long-value", TARGET.replace("0.06", "v" * 100_000), "(100,000 characters)"),
    Case("targets-folder", ("calibrate", "--targets", "{tmp}/tdir", "--out", "{tmp}/out"),
         {"tdir/x": "a"}, ("{tmp}/tdir", "folder")),
    Case("targets-missing", ("calibrate", "--targets", "{tmp}/none.yaml", "--out",
                             "{tmp}/out"), {}, ("{tmp}/none.yaml", "file not found")),
    Case("targets-device", ("calibrate", "--targets", "/dev/zero", "--out", "{tmp}/out"), {},
         ("/dev/zero", "device")),
]

def run_out(id: str, out: str, *expect: str, files: dict[str, str | bytes] | None = None,
            option: str = "--out") -> Case:
    """``bipsim run baseline`` (small) writing to ``out``: refused before it runs."""
    return Case(f"output-{id}", ("run", "baseline", "--weeks", "2", *SMALL, option, out),
                files or {}, expect)


OUTPUTS = [
    run_out("out-a-file", "{tmp}/f", "--out {tmp}/f", "not an empty folder",
            files={"f": "x"}),
    run_out("out-not-empty", "{tmp}/full", "--out {tmp}/full", "not an empty folder",
            files={"full/a": "x"}),
    run_out("out-under-a-file", "{tmp}/f/run", "--out {tmp}/f/run", "cannot create",
            files={"f": "x"}),
    run_out("out-in-proc", "/proc/bipsim-run", "--out /proc/bipsim-run", "cannot create"),
    run_out("out-in-sys", "/sys/bipsim-run", "--out /sys/bipsim-run", "cannot create"),
    run_out("out-a-device", "/dev/null", "--out /dev/null", "not an empty folder"),
    run_out("out-name-too-long", "{tmp}/" + "n" * 300, "File name too long", "(ENAMETOOLONG)"),
    run_out("outputs-a-file", "{tmp}/f", "--outputs {tmp}/f", "is a file",
            files={"f": "x"}, option="--outputs"),
    run_out("outputs-in-proc", "/proc/bipsim-outputs", "--outputs /proc/bipsim-outputs",
            "cannot create", option="--outputs"),
    Case("output-calibrate-out-in-proc", ("calibrate", "--out", "/proc/bipsim-cal",
                                          "--quick"), {}, ("/proc/bipsim-cal",)),
    Case("output-calibrate-out-a-file", ("calibrate", "--out", "{tmp}/f", "--quick"),
         {"f": "x"}, ("{tmp}/f",)),
    Case("output-sweep-out-not-empty", ("sweep", "baseline", "--grid",
                                        "caseworkers.annual_turnover=0.1", "--workers", "0",
                                        "--out", "{tmp}/full"),
         {"full/a": "x"}, ("{tmp}/full", "not an empty folder")),
    Case("output-sweep-out-in-proc", ("sweep", "baseline", "--grid",
                                      "caseworkers.annual_turnover=0.1", "--workers", "0",
                                      "--out", "/proc/bipsim-sweep"), {},
         ("/proc/bipsim-sweep", "cannot create")),
    Case("output-extends-name-too-long", ("run", "{tmp}/s.yaml", "--out", "{tmp}/out"),
         {"s.yaml": "extends: " + "n" * 5000 + "\n"}, ("File name too long",
                                                      "(ENAMETOOLONG)")),
]

GRID = ("--grid", "caseworkers.annual_turnover=0.1")


def sweep(id: str, *argv: str, expect: tuple[str, ...] = ()) -> Case:
    """``bipsim sweep ARGV`` (small, in this process unless ARGV says otherwise)."""
    return Case(f"option-sweep-{id}", ("sweep", *argv, "--weeks", "2", *SMALL, "--out",
                                       "{tmp}/out"), {}, expect)


def compare(id: str, *argv: str, expect: tuple[str, ...] = ()) -> Case:
    """``bipsim compare baseline early_placement ARGV`` (small)."""
    return Case(f"option-compare-{id}", ("compare", "baseline", "early_placement", *argv,
                                         "--weeks", "2", *SMALL, "--out", "{tmp}/out"), {},
                expect)


def optimise(id: str, *argv: str, expect: tuple[str, ...] = (),
             budget: tuple[str, ...] = ("--budget-per-year", "1e6")) -> Case:
    """``bipsim optimise baseline ARGV`` (small, with a budget unless ``budget`` is ())."""
    return Case(f"option-optimise-{id}", ("optimise", "baseline", *argv, *budget, "--weeks",
                                          "2", *SMALL, "--out", "{tmp}/out"), {}, expect)


def calibrate(id: str, *argv: str, expect: tuple[str, ...] = ()) -> Case:
    """``bipsim calibrate ARGV``."""
    return Case(f"option-calibrate-{id}", ("calibrate", *argv, "--out", "{tmp}/out"), {},
                expect)


OPTIONS = [
    sweep("seed-negative", "baseline", *GRID, "--seed=-1", "--workers", "0",
          expect=("--seed", "given -1", "allowed")),
    compare("seed-negative", "--seed=-1", "--workers", "0", expect=("--seed", "given -1")),
    Case("option-run-seed-negative", ("run", "baseline", "--seed=-1", "--out", "{tmp}/out"),
         {}, ("run.seed", "given -1")),
    calibrate("seed-negative", "--seed=-1", "--quick", expect=("seed",)),
    sweep("seed-text", "baseline", *GRID, "--seed", "abc", expect=("--seed",)),
    sweep("connect-timeout-negative", "baseline", *GRID, "--scheduler", "tcp://127.0.0.1:9",
          "--connect-timeout=-5", expect=("--connect-timeout", "given '-5'", "allowed")),
    sweep("connect-timeout-nan", "baseline", *GRID, "--scheduler", "tcp://127.0.0.1:9",
          "--connect-timeout", "nan", expect=("--connect-timeout", "'nan'")),
    sweep("connect-timeout-inf", "baseline", *GRID, "--scheduler", "tcp://127.0.0.1:9",
          "--connect-timeout", "inf", expect=("--connect-timeout", "'inf'")),
    sweep("connect-timeout-zero", "baseline", *GRID, "--scheduler", "tcp://127.0.0.1:9",
          "--connect-timeout", "0", expect=("--connect-timeout",)),
    compare("connect-timeout-nan", "--dask-local", "1", "--connect-timeout", "nan",
            expect=("--connect-timeout",)),
    sweep("workers-negative", "baseline", *GRID, "--workers=-1",
          expect=("--workers", "given -1")),
    sweep("dask-local-zero", "baseline", *GRID, "--dask-local", "0",
          expect=("--dask-local", "given 0")),
    sweep("two-executors", "baseline", *GRID, "--workers", "1", "--dask-local", "1",
          expect=("not allowed with",)),
    sweep("reps-zero", "baseline", *GRID, "--reps", "0", "--workers", "0",
          expect=("--reps",)),
    sweep("reps-negative", "baseline", *GRID, "--reps=-3", "--workers", "0",
          expect=("--reps",)),
    compare("reps-one", "--reps", "1", "--workers", "0", expect=("--reps", "at least 2")),
    sweep("no-scenario", *GRID, "--workers", "0", expect=("scenario",)),
    sweep("no-design", "baseline", "--workers", "0", expect=("--grid",)),
    sweep("grid-and-sample", "baseline", *GRID, "--sample", "lhs", "--bounds",
          "caseworkers.annual_turnover=0.1:0.2", "--n", "4", "--workers", "0",
          expect=("not both",)),
    sweep("sample-without-n", "baseline", "--sample", "lhs", "--bounds",
          "caseworkers.annual_turnover=0.1:0.2", "--workers", "0", expect=("--n",)),
    sweep("sample-unknown", "baseline", "--sample", "magic", "--bounds",
          "caseworkers.annual_turnover=0.1:0.2", "--n", "4", expect=("magic",)),
    sweep("sobol-n-not-power", "baseline", "--sample", "sobol", "--bounds",
          "caseworkers.annual_turnover=0.1:0.2", "--n", "3", "--workers", "0",
          expect=("power of 2",)),
    sweep("n-zero", "baseline", "--sample", "lhs", "--bounds",
          "caseworkers.annual_turnover=0.1:0.2", "--n", "0", "--workers", "0",
          expect=("--n",)),
    sweep("grid-no-equals", "baseline", "--grid", "caseworkers.annual_turnover",
          "--workers", "0", expect=("caseworkers.annual_turnover",)),
    sweep("grid-unknown-key", "baseline", "--grid", "caseworkers.turnover=0.1", "--workers",
          "0", expect=("caseworkers.turnover", "did you mean")),
    sweep("grid-bad-level", "baseline", "--grid", "caseworkers.annual_turnover=0.1,lots",
          "--workers", "0", expect=("caseworkers.annual_turnover", "lots")),
    sweep("grid-nan-level", "baseline", "--grid", "caseworkers.annual_turnover=.nan",
          "--workers", "0", expect=("caseworkers.annual_turnover",)),
    sweep("grid-empty", "baseline", "--grid", "caseworkers.annual_turnover=", "--workers",
          "0", expect=("caseworkers.annual_turnover",)),
    sweep("grid-twice", "baseline", *GRID, *GRID, "--workers", "0",
          expect=("caseworkers.annual_turnover",)),
    sweep("bounds-reversed", "baseline", "--sample", "lhs", "--bounds",
          "caseworkers.annual_turnover=0.4:0.1", "--n", "4", "--workers", "0",
          expect=("caseworkers.annual_turnover",)),
    sweep("bounds-no-colon", "baseline", "--sample", "lhs", "--bounds",
          "caseworkers.annual_turnover=0.4", "--n", "4", "--workers", "0",
          expect=("caseworkers.annual_turnover",)),
    sweep("bounds-nan", "baseline", "--sample", "lhs", "--bounds",
          "caseworkers.annual_turnover=.nan:0.4", "--n", "4", "--workers", "0",
          expect=("caseworkers.annual_turnover",)),
    sweep("bounds-outside-allowed", "baseline", "--sample", "lhs", "--bounds",
          "caseworkers.annual_turnover=0.1:7", "--n", "4", "--workers", "0",
          expect=("caseworkers.annual_turnover",)),
    sweep("bounds-a-choice", "baseline", "--sample", "lhs", "--bounds",
          "interventions.placement_timing=0:1", "--n", "4", "--workers", "0",
          expect=("interventions.placement_timing",)),
    Case("option-compare-one-scenario-only", ("compare", "baseline", "--workers", "0",
                                              "--out", "{tmp}/out"), {}, ("alternative",)),
    Case("option-compare-bad-alternative", ("compare", "baseline", "{tmp}/s.yaml",
                                            "--workers", "0", "--out", "{tmp}/out"),
         {"s.yaml": f"name: {LAUGHS}\n"}, ("{tmp}/s.yaml", "aliases")),
    Case("option-resume-missing", ("sweep", "--resume", "{tmp}/none"), {},
         ("{tmp}/none", "no plan.json")),
    Case("option-resume-a-file", ("sweep", "--resume", "{tmp}/f"), {"f": "x"},
         ("{tmp}/f", "plan.json")),
    Case("option-resume-no-plan", ("sweep", "--resume", "{tmp}/e"), {"e/runs/x": "x"},
         ("{tmp}/e", "no plan.json")),
    Case("option-resume-bad-plan", ("sweep", "--resume", "{tmp}/e"),
         {"e/plan.json": "{not json", "e/runs/.keep": ""}, ("{tmp}/e", "cannot read")),
    Case("option-resume-plan-a-list", ("sweep", "--resume", "{tmp}/e"),
         {"e/plan.json": "[1, 2]", "e/runs/.keep": ""}, ("{tmp}/e", "cannot read")),
    Case("option-resume-with-grid", ("sweep", "--resume", "{tmp}/e", *GRID), {},
         ("--resume", "--grid")),
    # alternatives on the command line (--alt LABEL:KEY=VALUE,...), checked like --set
    compare("alt-unknown-key", "--alt", "c40:caseworkers.caselod=40",
            expect=("--alt c40: caseworkers.caselod: unknown parameter",
                    "did you mean caseworkers.caseload")),
    compare("alt-bad-value", "--alt", "c40:caseworkers.caseload=1",
            expect=("--alt c40: caseworkers.caseload: given 1", "allowed: a number from")),
    compare("alt-text-for-number", "--alt", "c40:caseworkers.caseload=many",
            expect=("--alt c40: caseworkers.caseload", "'many'")),
    compare("alt-bad-yaml", "--alt", "c40:caseworkers.caseload=[1",
            expect=("--alt c40: caseworkers.caseload", "not a valid value")),
    compare("alt-empty-label", "--alt", ":caseworkers.caseload=40",
            expect=("--alt: given ':caseworkers.caseload=40'", "label before ':' is empty")),
    compare("alt-no-label", "--alt", "caseworkers.caseload=40",
            expect=("--alt: given 'caseworkers.caseload=40'", "expected LABEL:KEY=VALUE")),
    compare("alt-odd-label", "--alt", "a/b:caseworkers.caseload=40",
            expect=("--alt: given label 'a/b'", "letters, digits")),
    compare("alt-long-label", "--alt", "x" * 41 + ":caseworkers.caseload=40",
            expect=("--alt: given label", "at most 40 characters")),
    compare("alt-no-changes", "--alt", "c40:", expect=("--alt c40: no changes",)),
    compare("alt-change-without-equals", "--alt", "c40:caseworkers.caseload",
            expect=("--alt c40: given 'caseworkers.caseload'", "expected group.name=value")),
    compare("alt-label-twice", "--alt", "c40:caseworkers.caseload=40", "--alt",
            "c40:caseworkers.caseload=50", expect=("--alt c40: label given twice",)),
    compare("alt-label-is-a-scenario-given", "--alt", "early_placement:caseworkers.caseload=40",
            expect=("--alt early_placement: label is the name of the scenario "
                    "early_placement on this command line",)),
    compare("alt-label-is-a-scenario-file", "--alt", "continuity:caseworkers.caseload=40",
            expect=("--alt continuity: label is the name of the scenario file",
                    "continuity.yaml")),
    compare("alt-key-twice", "--alt", "c40:caseworkers.caseload=40,caseworkers.caseload=50",
            expect=("--alt c40: caseworkers.caseload: given twice in this --alt",)),
    compare("alt-key-also-set", "--alt", "c40:population.n_citizens=500",
            expect=("--alt c40: population.n_citizens: given twice (by --set and --alt c40)",)),
    compare("alt-problems-together", "--alt", "a:caseworkers.caseload=1", "--alt",
            "b:caseworkers.caselod=40", "--alt", "a:caseworkers.caseload=50", "--alt",
            ":x.y=1", expect=("4 problems", "--alt a: caseworkers.caseload: given 1",
                              "--alt b: caseworkers.caselod", "--alt a: label given twice",
                              "label before ':' is empty")),
    Case("option-compare-alt-without-scenario", ("compare", "--alt",
                                                 "c40:caseworkers.caseload=40", "--out",
                                                 "{tmp}/out"), {},
         ("--alt: give the scenario the alternatives change",)),
    Case("option-compare-resume-with-alt", ("compare", "--resume", "{tmp}/e", "--alt",
                                            "c40:caseworkers.caseload=40"), {},
         ("--resume", "drop --alt")),
    # how numbers are written
    Case("option-locale-unknown", ("run", "baseline", "--locale", "fr", "--out", "{tmp}/out"),
         {}, ("--locale", "invalid choice: 'fr'")),
    Case("option-unknown-command", ("swep",), {}, ("did you mean 'sweep'",)),
    Case("option-unknown-flag", ("run", "baseline", "--sed", "1"), {},
         ("did you mean --seed",)),
    Case("option-run-weeks-zero", ("run", "baseline", "--weeks", "0", "--out", "{tmp}/out"),
         {}, ("run.weeks", "given 0")),
    Case("option-run-weeks-text", ("run", "baseline", "--weeks", "many"), {}, ("--weeks",)),
    # the best use of a budget: --lever KEY=LOW:HIGH, levers only, checked like --set
    optimise("no-lever", expect=("--lever: give the levers to search",)),
    optimise("not-a-lever", "--lever", "population.n_citizens=100:200",
             expect=("--lever: population.n_citizens: not a lever (its role is context)",
                     "caseworkers.caseload")),
    optimise("unknown-lever", "--lever", "caseworkers.caselod=40:60",
             expect=("--lever: caseworkers.caselod: unknown parameter", "caseworkers.caseload")),
    optimise("choice-lever", "--lever", "interventions.placement_timing=0:1",
             expect=("--lever: interventions.placement_timing: a choice lever has no range",
                     "--alt")),
    optimise("range-reversed", "--lever", "caseworkers.caseload=80:50",
             expect=("--lever: caseworkers.caseload: given '80:50'", "low bound must be below")),
    optimise("range-outside", "--lever", "caseworkers.caseload=1:50",
             expect=("--lever: caseworkers.caseload: bound given 1", "allowed: a number from")),
    optimise("range-no-colon", "--lever", "caseworkers.caseload=50",
             expect=("--lever: caseworkers.caseload: given '50', expected LOW:HIGH",)),
    optimise("range-text", "--lever", "caseworkers.caseload=low:80",
             expect=("--lever: caseworkers.caseload", "'low'")),
    optimise("lever-twice", "--lever", "caseworkers.caseload=50:80", "--lever",
             "caseworkers.caseload=40:60",
             expect=("--lever: caseworkers.caseload: given twice",)),
    optimise("lever-also-set", "--lever", "caseworkers.caseload=50:80", "--set",
             "caseworkers.caseload=60",
             expect=("--lever: caseworkers.caseload: set with --set and searched too",)),
    optimise("budget-missing", "--lever", "caseworkers.caseload=50:80", budget=(),
             expect=("--budget-per-year: give the extra cost a year may have",)),
    optimise("budget-negative", "--lever", "caseworkers.caseload=50:80", budget=(
        "--budget-per-year=-5",), expect=("--budget-per-year: given -5", "0 or more")),
    optimise("budget-text", "--lever", "caseworkers.caseload=50:80",
             budget=("--budget-per-year", "lots"), expect=("--budget-per-year", "'lots'")),
    optimise("population-small", "--lever", "caseworkers.caseload=50:80", "--population", "2",
             expect=("--population: given 2, need at least 4",)),
    optimise("problems-together", "--lever", "caseworkers.caselod=40:60", "--lever",
             "population.n_citizens=1:2", expect=("2 problems", "caseworkers.caselod",
                                                  "population.n_citizens: not a lever")),
    calibrate("population-zero", "--population", "0", expect=("population", "given 0")),
    calibrate("generations-zero", "--generations", "0", "--quick",
              expect=("generations", "given 0")),
    calibrate("min-ess-zero", "--min-ess", "0", "--quick", expect=("min_ess", "given 0")),
    Case("option-calibrate-recheck-without-fit", ("calibrate", "--recheck", "{tmp}/nowhere"),
         {}, ("nowhere", "fitted.yaml")),
    calibrate("recheck-with-out", "--recheck", expect=("a recheck writes no folder",)),
    calibrate("unknown-scenario", "--scenario", "nowhere", "--quick",
              expect=("nowhere",)),
]

#: Every case, in a stable order.
CASES = [*SCENARIOS, *OVERRIDES, *TARGETS, *OUTPUTS, *OPTIONS]
