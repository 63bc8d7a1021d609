"""The jobcentre as a picture: one card per caseworker, one marker per citizen.

Built as HTML (a string) from a :class:`~bipsim.dashboard.record.ModelLog`, so it
is cheap to redraw every week, sharp on a projector, and testable without a
browser. Within a card, markers are grouped by state (company placement, other
activity, passive), so citizens visibly move between groups as their activity
changes. A caseworker change rings the citizen's marker for a few weeks; a new
caseworker's card is framed for the week it starts; a vacant post is greyed out.
Citizens who left in the last weeks stay as squares in the colour of where they went.
"""

from __future__ import annotations

from html import escape

import numpy as np

from bipsim.rules.meetings import BELIEVES

from .record import ModelLog, WeekRecord
from .states import BELIEF_DA, CHANGE_COLOUR, COLOUR, LABELS_DA, ON_BENEFIT_STATES, SHORT_DA

#: Weeks a caseworker change stays marked on the citizen.
CHANGE_WEEKS = 4
#: Weeks a leaver stays on the caseworker's card.
LEAVER_WEEKS = 8
#: Marker order within a card.
_ORDER = {state: k for k, state in enumerate(ON_BENEFIT_STATES)}

#: Style sheet of the picture (give it to the page once).
CSS = f"""
.bip-grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(215px, 1fr));
  gap: 10px; }}
.bip-cw {{ border: 2px solid #d0d0d0; border-radius: 8px; padding: 6px 8px; background: #fff; }}
.bip-cw.hired {{ border: 3px solid {CHANGE_COLOUR}; box-shadow: 0 0 8px {CHANGE_COLOUR}; }}
.bip-cw.vacant {{ border-style: dashed; background: #f3f3f3; }}
.bip-cw-head {{ font-weight: 600; font-size: 15px; display: flex;
  justify-content: space-between; align-items: baseline; }}
.bip-cw-sub {{ font-size: 12px; color: #555; margin-bottom: 4px; }}
.bip-tag {{ font-size: 11px; font-weight: 600; padding: 0 5px; border-radius: 4px;
  color: #fff; background: {CHANGE_COLOUR}; white-space: nowrap; }}
.bip-cw.vacant .bip-tag {{ background: #888; }}
.bip-dots {{ display: flex; flex-wrap: wrap; gap: 3px; min-height: 16px; }}
.bip-dot {{ width: 14px; height: 14px; border-radius: 50%; display: inline-block;
  box-sizing: border-box; }}
.bip-dot.chg {{ border: 3px solid {CHANGE_COLOUR}; }}
.bip-dot.chg-old {{ border: 2px solid {CHANGE_COLOUR}80; }}
.bip-dot.followed {{ outline: 3px solid #000; outline-offset: 1px; }}
.bip-left {{ display: flex; flex-wrap: wrap; gap: 3px; margin-top: 5px; min-height: 12px;
  font-size: 11px; color: #555; align-items: center; }}
.bip-sq {{ width: 11px; height: 11px; display: inline-block; }}
.bip-banner {{ background: {CHANGE_COLOUR}; color: #fff; font-weight: 600; padding: 4px 10px;
  border-radius: 6px; margin-bottom: 8px; }}
.bip-legend {{ display: flex; flex-wrap: wrap; gap: 14px; font-size: 13px;
  margin: 6px 0 10px 0; align-items: center; }}
"""


def legend_html() -> str:
    """The legend: marker colours, squares for leavers, the change ring."""
    items = [f'<span><span class="bip-dot" style="background:{COLOUR[s]}"></span> '
             f"{escape(LABELS_DA[s])}</span>" for s in ON_BENEFIT_STATES]
    items += [f'<span><span class="bip-sq" style="background:{COLOUR[s]}"></span> '
              f"{escape(LABELS_DA[s])}</span>" for s in sorted(set(COLOUR) - set(_ORDER))]
    items.append('<span><span class="bip-dot chg" style="background:#fff"></span> '
                 "Har lige fået ny sagsbehandler (sagsbehandlerskift)</span>")
    return f'<div class="bip-legend">{"".join(items)}</div>'


def jobcentre_html(log: ModelLog, followed: int | None = None) -> str:
    """The jobcentre at the log's latest week.

    Args:
        log: Week records of the model shown.
        followed: Uid of the citizen being followed, outlined; None for none.

    Returns:
        An HTML fragment (style it with :data:`CSS`).
    """
    rec = log.current
    since = log.weeks_since_change(rec)
    recent = log.records[-LEAVER_WEEKS:]
    cards = [_card(rec, post, since, recent, followed) for post in range(len(rec.holder))]
    moved = int(np.count_nonzero(rec.changed & ~rec.hired[rec.post]))
    banner = ""
    if log.model.flows.get("new_reorganisations", 0) and rec.week > 0:
        banner = (f'<div class="bip-banner" id="reorganisation">Omorganisering i uge '
                  f"{rec.week}: {moved} borgere har fået en ny sagsbehandler</div>")
    return f'{banner}<div class="bip-grid" id="jobcentre">{"".join(cards)}</div>'


def _card(rec: WeekRecord, post: int, since: np.ndarray, recent: list[WeekRecord],
          followed: int | None) -> str:
    mine = np.flatnonzero(rec.post == post)
    order = sorted(mine, key=lambda i: (_ORDER[int(rec.state[i])], int(rec.uid[i])))
    dots = "".join(_dot(rec, int(i), int(since[i]), followed) for i in order)
    believes = int(np.count_nonzero(rec.belief[mine] >= BELIEVES))
    classes, tag = "bip-cw", ""
    if rec.vacant[post]:
        classes += " vacant"
        tag = '<span class="bip-tag">ledig stilling</span>'
        sub = "Ingen samtaler, indtil en ny sagsbehandler starter"
    else:
        if rec.hired[post]:
            classes += " hired"
            tag = '<span class="bip-tag">ny sagsbehandler</span>'
        sub = f"{len(mine)} borgere · tror på {believes} af dem"
    name = f"Sagsbehandler {int(rec.holder[post]) + 1}"
    leavers = _leaver_squares(recent, post, rec.week)
    return (f'<div class="{classes}" id="cw-{post}"><div class="bip-cw-head">'
            f"<span>{name}</span>{tag}</div>"
            f'<div class="bip-cw-sub">{sub}</div><div class="bip-dots">{dots}</div>'
            f'<div class="bip-left">{leavers}</div></div>')


def _dot(rec: WeekRecord, i: int, since: int, followed: int | None) -> str:
    state, uid = int(rec.state[i]), int(rec.uid[i])
    classes = "bip-dot"
    if since == 0:
        classes += " chg"
    elif since < CHANGE_WEEKS:
        classes += " chg-old"
    if uid == followed:
        classes += " followed"
    n = int(rec.n_changes[i])
    title = (f"Borger {uid}: {SHORT_DA[state]}; sagsbehandlers tro: "
             f"{BELIEF_DA[int(rec.belief[i])]}; {n} sagsbehandlerskift; "
             f"parathed {rec.readiness[i]:+.1f}".replace(".", ","))
    return (f'<span class="{classes}" data-state="{state}" style="background:{COLOUR[state]}" '
            f'title="{escape(title)}"></span>')


def _leaver_squares(recent: list[WeekRecord], post: int, week: int) -> str:
    squares = []
    for rec in recent:
        here = rec.left_post == post
        age = week - rec.week
        opacity = 1.0 - 0.6 * age / LEAVER_WEEKS  # older leavers fade
        for uid, state in zip(rec.left_uid[here], rec.left_state[here], strict=True):
            title = f"Borger {int(uid)}: {SHORT_DA[int(state)]} i uge {rec.week}"
            squares.append(f'<span class="bip-sq" data-state="{int(state)}" '
                           f'style="background:{COLOUR[int(state)]};opacity:{opacity:.2f}" '
                           f'title="{escape(title)}"></span>')
    return ("Gået videre: " + "".join(squares)) if squares else ""
