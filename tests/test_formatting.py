"""Numbers as a planner reads them, in English and Danish (``--locale``, ``BIPSIM_LOCALE``):
the formatter on edge cases, plot ticks, and the Excel-friendly CSV."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bipsim import formatting
from bipsim.errors import InputError
from bipsim.experiments.stats import Interval
from bipsim.plots import localise_ticks

NAN = math.nan


def _iv(mean: float, low: float = NAN, high: float = NAN) -> Interval:
    return Interval(mean, low, high, NAN, 0)


@pytest.fixture
def danish():
    with formatting.use_locale("da"):
        yield


# --- English stays as it was -------------------------------------------------------------
def test_english_is_the_default_and_unchanged(monkeypatch):
    monkeypatch.delenv(formatting.LOCALE_ENV, raising=False)
    assert formatting.current_locale() == "en"
    assert formatting.value("total_cost_dkk", 8_463.7e6) == "8,463.70 mio. DKK"
    assert formatting.difference("share_job_12m", _iv(0.003, 0.001, 0.005)) == \
        "+0.3 pp (+0.1 to +0.5)"
    assert formatting.value("total_cost_dkk", 850_000) == "850,000 DKK"
    assert formatting.percent(0.91) == "91%"


# --- Danish -------------------------------------------------------------------------------
@pytest.mark.usefixtures("danish")
@pytest.mark.parametrize(("name", "x", "sign", "shown"), [
    ("total_cost_dkk", 8_463.7e6, False, "8.463,70 mio. kr."),
    ("total_cost_dkk", -8_463.7e6, True, "-8.463,70 mio. kr."),
    ("total_cost_dkk", 850_000, False, "850.000 kr."),  # thousands: whole kroner
    ("total_cost_dkk", -850_000, True, "-850.000 kr."),
    ("total_cost_dkk", 999_999.6, False, "1,00 mio. kr."),  # rounds up into millions
    ("total_cost_dkk", 999_499.0, False, "999.499 kr."),
    ("total_cost_dkk", 0.0, True, "+0 kr."),
    ("share_job_12m", 0.125, False, "12,5 %"),
    ("share_job_12m", 0.0, False, "0,0 %"),
    ("share_job_12m", -0.0004, True, "+0,0 pct.-point"),  # no "-0,0"
    ("share_job_12m", -0.031, True, "-3,1 pct.-point"),
    ("exits_job", 3205, False, "3.205"),
    ("exits_job", 33.35, False, "33,4"),  # small means of counts keep a decimal
    ("exits_job", -1234.4, True, "-1.234"),
    ("mean_weeks_on_benefit", 43.8, False, "43,80"),
    ("caseworker_changes_per_citizen", 0.039, False, "0,039"),
    ("share_job_12m", NAN, False, "-"),
    ("share_job_12m", None, False, "-"),
])
def test_danish_values(name, x, sign, shown):
    assert formatting.value(name, x, sign) == shown


@pytest.mark.usefixtures("danish")
def test_danish_intervals_spreads_and_plain_numbers():
    assert formatting.level("share_job_12m", _iv(0.051, 0.049, 0.053)) == "5,1 % (4,9 to 5,3)"
    assert formatting.difference("total_cost_dkk", _iv(5.48e6, 4.24e6, 6.72e6)) == \
        "+5,48 mio. kr. (+4,24 to +6,72)"
    assert formatting.level("total_cost_dkk", _iv(3.57e9)) == "3.570,00 mio. kr."  # no bounds
    assert formatting.level("share_job_12m", _iv(NAN, 0.1, 0.2)) == "-"
    assert formatting.spread("total_cost_dkk", 2.64e6, 5e4) == "2,64 ± 0,05 mio. kr."
    assert formatting.spread("share_job_12m", NAN, 0.01) == "-"
    assert formatting.spread("exits_job", 3205, NAN) == "3.205 ± -"
    assert formatting.dkk(500e3) == "500.000 kr."
    assert formatting.number(1234567.891, 2) == "1.234.567,89"
    assert formatting.number(-0.004, 2) == "0,00"
    assert formatting.number(NAN) == "-"
    assert formatting.percent(0.915) == "92 %"
    assert formatting.percent(0.053, 1, sign=True) == "+5,3 %"
    assert formatting.general(0.123456, 4) == "0,1235"
    assert formatting.general(1.5e-7, 3) == "1,5e-07"
    assert formatting.general(-0.42, sign=True) == "-0,42"
    assert formatting.millions_unit() == "mio. kr."
    assert formatting.listing(["0,1", "0,25"]) == "0,1; 0,25"
    with formatting.use_locale("en"):
        assert formatting.listing(["0.1", "0.25"]) == "0.1, 0.25"


def test_the_locale_comes_from_the_flag_then_the_setting(monkeypatch):
    monkeypatch.setenv(formatting.LOCALE_ENV, "da_DK.UTF-8")
    assert formatting.resolve_locale() == "da"
    assert formatting.current_locale() == "da"
    assert formatting.resolve_locale("en") == "en"  # the flag wins
    with formatting.use_locale("en"):
        assert formatting.value("share_job_12m", 0.125) == "12.5 %"
    assert formatting.value("share_job_12m", 0.125) == "12,5 %"  # restored
    monkeypatch.setenv(formatting.LOCALE_ENV, "")
    assert formatting.resolve_locale() == "en"
    monkeypatch.setenv(formatting.LOCALE_ENV, "fr_FR")
    with pytest.raises(InputError, match="BIPSIM_LOCALE: given 'fr_FR', allowed: en, da"):
        formatting.resolve_locale()
    with pytest.raises(ValueError, match="unknown locale"), formatting.use_locale("fr"):
        pass


@pytest.mark.parametrize(("ticks", "decimals"), [
    ([0, 500, 1000], 0), ([-2.5, 0, 2.5, 5], 1), ([0, 0.25, 0.5], 2),
    ([0.1 * k for k in range(5)], 1), ([1e-9, 2e-9], 6), ([0, NAN, 1], 0)])
def test_tick_decimals_show_every_tick_exactly(ticks, decimals):
    assert formatting.tick_decimals(ticks) == decimals


def _ticks(fig: Figure, ax) -> list[str]:
    FigureCanvasAgg(fig).draw()
    return [t.get_text() for t in ax.get_yticklabels() if t.get_text()]


def test_plot_ticks_follow_the_locale():
    """matplotlib's own ticks: unchanged in English, Danish separators in Danish."""
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 25_000])
    localise_ticks(fig)
    english = _ticks(fig, ax)
    assert "25000" in english  # matplotlib's default, as before
    with formatting.use_locale("da"):
        fig = Figure()
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 25_000])
        ax2 = fig.add_subplot(2, 1, 2)
        ax2.plot([0, 1], [0, 0.25])
        localise_ticks(fig)
        assert "25.000" in _ticks(fig, ax)
        small = _ticks(fig, ax2)
    assert "0,25" in small and "0,10" in small, small


# --- Excel-friendly CSV ------------------------------------------------------------------
def test_excel_csv_reads_back_with_semicolon_and_decimal_comma():
    frame = pd.DataFrame({"scenario": ["baseline", "ø-kommune", "a;b"],
                          "exits_job": [3205, 12, -4],
                          "share_job_12m": [0.0761, NAN, 1 / 3],
                          "total_cost_dkk": [8_463_700_000.5, -1.25, 0.0],
                          "bounded": [True, False, True]})
    data = formatting.excel_csv(frame)
    assert data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the mark
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "scenario;exits_job;share_job_12m;total_cost_dkk;bounded"
    assert "0,0761" in text and "8463700000,5" in text
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",")
    pd.testing.assert_frame_equal(back, frame)
    assert np.isnan(back.loc[1, "share_job_12m"])
