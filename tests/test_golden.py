"""The baseline's summary at a fixed seed has not changed by accident.

If a change of behaviour is intended, update with ``python tests/golden.py`` and
say why in the commit message.
"""

from __future__ import annotations

import json

import pytest
from golden import GOLDEN_FILE, golden_summary


def test_golden_summary_unchanged():
    expected = json.loads(GOLDEN_FILE.read_text(encoding="utf-8"))
    got = golden_summary()
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, float):
            # bit-identical on one machine; allow last-digit differences across CPUs
            assert got[key] == pytest.approx(value, rel=1e-9), key
        else:
            assert got[key] == value, key
