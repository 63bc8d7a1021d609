"""``bipsim validate``: the model against published patterns the calibration did not use.

- :mod:`~bipsim.validation.criteria`: the criteria file, written before any run.
- :mod:`~bipsim.validation.experiment`: its experiments as one plan; the verdicts.
- :mod:`~bipsim.validation.report`: ``report.md`` and the tables.
"""
