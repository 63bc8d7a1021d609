"""The fault corpus (``fault_corpus.py``): every bad input gets exit 2 and one short,
precise message, at once, with nothing written.

The cases run in-process through :func:`bipsim.cli.main`, as the console script does.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fault_corpus import CASES, Case

from bipsim.cli import main

#: A message quotes values shortened; with the location and the allowed values it fits
#: in a few lines.
MAX_MESSAGE_CHARS = 1200
#: Every refusal is quick: no case may expand, parse or simulate its way to an answer
#: (CPU seconds of this process, so a busy machine does not fail it; the first cases
#: import the libraries).
MAX_CPU_SECONDS = 10.0


def _write(tmp: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_with_a_short_precise_message(case: Case, tmp_path: Path,
                                                           capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # outputs/ and saved tracebacks stay in the test's folder
    _write(tmp_path, case.files)
    argv = [part.replace("{tmp}", str(tmp_path)) for part in case.argv]
    started = time.process_time()
    code = main(argv)
    cpu = time.process_time() - started
    out, err = capsys.readouterr()
    assert code == case.code, err
    assert "Traceback" not in err + out
    message = err.strip()
    assert message.startswith("bipsim: error: ") or message.startswith("usage:"), message
    assert len(message) <= MAX_MESSAGE_CHARS, message[:2000]
    for part in case.expect:
        assert part.replace("{tmp}", str(tmp_path)) in message, (part, message)
    assert cpu < MAX_CPU_SECONDS
    out_folder = tmp_path / "out"
    assert not out_folder.exists() or not any(out_folder.iterdir())
    assert not (tmp_path / "outputs").exists()


def test_the_corpus_is_large_and_its_ids_unique() -> None:
    assert len(CASES) >= 150
    assert len({case.id for case in CASES}) == len(CASES)
