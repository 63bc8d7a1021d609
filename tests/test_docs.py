"""The README's parameter table is the one the code declares."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from bipsim.parameters import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_parameter_table_is_current():
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- params:start")
    block = text[text.index("\n", start) + 1 : text.index("<!-- params:end -->")].strip()
    assert block == markdown_table(), "run `python tools/readme_params.py`"


def test_readme_solaraviz_example_builds_steps_and_resets():
    """The README's SolaraViz block, run as written, rendered without a browser: Mesa
    accepts the model's signature and ``model_params``, Step advances the model, Reset
    rebuilds it from ``model_params``. In a fresh interpreter, because Solara's stores
    keep the models alive for the rest of the process."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index("<!-- solaraviz:start"):text.index("<!-- solaraviz:end -->")]
    code = block.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 14
    driver = code + textwrap.dedent("""
        import ipyvuetify as v
        import solara

        _, rc = solara.render(solara.AppLayout(children=[page]), handle_error=False)
        step = rc.find(v.Btn, children=["Step"]).widget
        for _ in range(3):
            step.click()
        assert model.steps == 3 and model.week == 3, model.steps
        rc.find(v.Btn, children=["Reset"]).widget.click()  # BipModel(**model_params)
        print("stepped and reset")
    """)
    done = subprocess.run([sys.executable, "-c", driver], capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "stepped and reset" in done.stdout
