"""What a citizen marker shows: the citizen's activity, or where the citizen went.

Colours are the run plots' (:data:`bipsim.plots.COLOURS`), so the dashboard and a
run folder speak the same visual language.
"""

from __future__ import annotations

import numpy as np

from bipsim.agents import EDUCATION, JOB, OTHER_BENEFIT
from bipsim.plots import COLOURS

#: Marker states: three while on benefit, three after leaving.
PASSIVE, OTHER, COMPANY, LEFT_JOB, LEFT_EDUCATION, LEFT_OTHER = range(6)
ON_BENEFIT_STATES = (COMPANY, OTHER, PASSIVE)
LEFT_STATES = (LEFT_JOB, LEFT_EDUCATION, LEFT_OTHER)

#: Danish legend text of each state.
LABELS_DA: dict[int, str] = {
    COMPANY: "Virksomhedsrettet (praktik, løntilskud)",
    OTHER: "Anden aktivitet (behandling, kursus, mentor)",
    PASSIVE: "Passiv (ingen indsats)",
    LEFT_JOB: "Gået i job",
    LEFT_EDUCATION: "Gået i uddannelse",
    LEFT_OTHER: "Overgået til anden ydelse",
}
#: Short Danish names, for tooltips and tables.
SHORT_DA: dict[int, str] = {
    COMPANY: "virksomhedsrettet", OTHER: "anden aktivitet", PASSIVE: "passiv",
    LEFT_JOB: "job", LEFT_EDUCATION: "uddannelse", LEFT_OTHER: "anden ydelse",
}
#: Marker colour of each state.
COLOUR: dict[int, str] = {
    COMPANY: COLOURS["company"], OTHER: COLOURS["other"], PASSIVE: COLOURS["passive"],
    LEFT_JOB: COLOURS["job"], LEFT_EDUCATION: COLOURS["education"],
    LEFT_OTHER: COLOURS["other_benefit"],
}
#: The caseworker's answer to "Tror du, at borgeren kommer i job inden for det næste år?"
#: (codes of ``bipsim.agents.BELIEF_ANSWERS``; 0 = a new caseworker has not answered yet).
BELIEF_DA: dict[int, str] = {0: "ikke vurderet endnu", 1: "nej", 2: "tvivlsomt",
                             3: "både og", 4: "gode chancer", 5: "ja, helt sikkert"}
#: Ring around a citizen whose caseworker changed (sagsbehandlerskift).
CHANGE_COLOUR = "#ff7f00"

#: Exit status (``bipsim.agents``) to marker state.
EXIT_STATE: dict[int, int] = {JOB: LEFT_JOB, EDUCATION: LEFT_EDUCATION,
                              OTHER_BENEFIT: LEFT_OTHER}


def activity_state(in_company: np.ndarray, in_other: np.ndarray) -> np.ndarray:
    """Marker state of citizens on benefit: company placement counts first (in early
    placement a citizen can be in both), then other activity, else passive."""
    return np.where(in_company, COMPANY, np.where(in_other, OTHER, PASSIVE)).astype(np.int8)


def exit_state(status: np.ndarray) -> np.ndarray:
    """Marker state of citizens who left, from their exit status codes.

    Raises:
        ValueError: A status that is not an exit (still on benefit).
    """
    status = np.asarray(status)
    lookup = np.full(max(EXIT_STATE) + 1, -1, dtype=np.int8)
    for code, state in EXIT_STATE.items():
        lookup[code] = state
    states = lookup[status]
    if (states < 0).any():
        raise ValueError("exit_state of a citizen still on benefit")
    return states
