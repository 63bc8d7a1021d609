"""The trainer's dashboard: one jobcentre, live in the browser (``bipsim dashboard``).

A thin layer over :class:`bipsim.model.BipModel`, the constructor the CLI uses.
Modules, one concept each:

- :mod:`.levers`: the sliders, declared once and checked against the parameter
  table; :meth:`bipsim.model.BipModel.set_lever` changes a running model's practice.
- :mod:`.states`: what a citizen marker shows (activity or exit) and its colour.
- :mod:`.record`: a per-week record of a model's citizens, for the jobcentre
  picture and "follow one citizen".
- :mod:`.pair`: the chosen practice and today's practice, same seed, stepping together.
- :mod:`.settings`: which scenario the server shows, passed from the CLI.
- :mod:`.jobcentre` and :mod:`.charts`: the jobcentre as HTML, the charts as ECharts
  options.
- :mod:`.view`: one consistent copy of what the page shows, taken under the pair's lock.
- :mod:`.components` and :mod:`.app`: the Solara page (imports Solara).
- :mod:`.cli`: the ``bipsim dashboard`` subcommand.

Only :mod:`.components` and :mod:`.app` import Solara, so the CLI and the tests of
the other modules stay light.
"""
