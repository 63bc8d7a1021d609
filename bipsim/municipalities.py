"""The 98 Danish municipalities by name, with the size of their stock of aktivitetsparate.

The table is ``bipsim/municipalities.csv``; its header says where every figure comes
from. ``stock`` is the national total (:data:`NATIONAL_STOCK`) scaled by population,
since no per-municipality count was found. Two parameters use it:

- ``population.jobcentre_sizes: municipalities`` gives the 98 jobcentres of a run
  these names and sizes in proportion to ``stock`` (the ``national`` scenario);
- ``population.municipality: Aarhus`` runs that one municipality at its own size:
  one jobcentre of ``stock`` citizens (it sets ``n_citizens`` and ``n_jobcentres``).

``python -m bipsim.municipalities`` prints the table. Read with the standard library
only, so importing the parameter table stays fast.
"""

from __future__ import annotations

import csv
import difflib
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

#: File of the table, inside the package.
TABLE_FILE = "municipalities.csv"
#: Aktivitetsparate kontanthjælpsmodtagere in Denmark, 2018 (jobindsats.dk); the
#: stocks of the table sum to it.
NATIONAL_STOCK = 66_254
#: ``population.municipality`` when no single municipality is asked for.
NONE = "none"
#: ``population.jobcentre_sizes`` value that uses the table.
BY_TABLE = "municipalities"


@dataclass(frozen=True)
class Municipality:
    """One row of the table.

    Attributes:
        name: Name as Danmarks Statistik writes it (``København``, ``Aarhus``).
        region: One of the five regions.
        population: Inhabitants on ``population_date``.
        population_date: Day the population was counted (ISO date).
        stock: Aktivitetsparate at the national total scaled by population.
        population_source: Page the population figure was read from.
    """

    name: str
    region: str
    population: int
    population_date: str
    stock: int
    population_source: str


@functools.cache
def table() -> tuple[Municipality, ...]:
    """Every municipality, in name order."""
    text = resources.files("bipsim").joinpath(TABLE_FILE).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return tuple(Municipality(row["municipality"], row["region"], int(row["population"]),
                              row["population_date"], int(row["stock"]),
                              row["population_source"])
                 for row in csv.DictReader(lines))


def names() -> tuple[str, ...]:
    """The 98 names, in table order."""
    return tuple(m.name for m in table())


def find(name: str) -> Municipality:
    """The municipality called ``name`` (exact, or the same but for case).

    Raises:
        KeyError: No such name; the message lists close names.
    """
    by_name = {m.name.casefold(): m for m in table()}
    if name.casefold() in by_name:
        return by_name[name.casefold()]
    raise KeyError(f"no municipality {name!r}{suggest(name)}")


def suggest(name: str, among: Sequence[str] | None = None) -> str:
    """``; did you mean 'Aarhus'?`` for the names closest to ``name`` (or ``""``), case
    aside, among ``among`` (default: the 98 municipalities)."""
    folded = {n.casefold(): n for n in (names() if among is None else among)}
    hits = [folded[h] for h in difflib.get_close_matches(name.casefold(), folded, n=3,
                                                         cutoff=0.6)]
    listing = " or ".join(repr(h) for h in hits)
    return f"; did you mean {listing}?" if hits else ""


def apply(p: dict[str, Any]) -> dict[str, Any]:
    """Parameters with a single municipality's size filled in, in place and returned.

    With ``municipality`` set, the run is that one jobcentre at its own size:
    ``n_jobcentres`` is 1 and ``n_citizens`` its ``stock``; without, ``p`` is unchanged.
    """
    if p.get("municipality", NONE) != NONE:
        p["n_citizens"] = find(p["municipality"]).stock
        p["n_jobcentres"] = 1
    return p


def count_problem(p: dict[str, Any]) -> str | None:
    """What is wrong with ``population.n_jobcentres``, or None: more jobcentres than
    citizens, or ``jobcentre_sizes: municipalities`` without the table's count. The one
    check of both the scenario loader and the model, so ``bipsim run --check`` finds it
    without building the model."""
    n_jc, n_citizens = p["n_jobcentres"], p["n_citizens"]
    if n_jc > n_citizens:
        return (f"given {n_jc}, more than population.n_citizens ({n_citizens}): every "
                f"jobcentre needs a citizen")
    if (p.get("jobcentre_sizes") == BY_TABLE and p.get("municipality", NONE) == NONE
            and n_jc != len(names())):
        return (f"given {n_jc}, but population.jobcentre_sizes: municipalities has "
                f"{len(names())} jobcentres; set population.n_jobcentres to {len(names())}")
    return None


def jobcentre_names(p: dict[str, Any]) -> tuple[str, ...] | None:
    """Names of a run's jobcentres, in jobcentre order, or None if anonymous."""
    if p.get("municipality", NONE) != NONE:
        return (find(p["municipality"]).name,)
    if p.get("jobcentre_sizes") == BY_TABLE:
        return names()
    return None


def main() -> None:
    """Print the table: name, region, population and its date, stock."""
    rows = table()
    width = max(len(m.name) for m in rows)
    for m in rows:
        print(f"{m.name:<{width}}  {m.region:<11}  {m.population:>8,}  {m.population_date}"
              f"  {m.stock:>6,}")
    print(f"{'total':<{width}}  {'':<11}  {sum(m.population for m in rows):>8,}  "
          f"{'':<10}  {sum(m.stock for m in rows):>6,}")


if __name__ == "__main__":
    main()
