"""Parameter uncertainty: priors' and posterior's draws, and what they do to a comparison.

- :mod:`~bipsim.uncertainty.draws`: which parameters are drawn and draw ``r`` of each.
- :mod:`~bipsim.uncertainty.planning`: ``--uncertainty parameters|chance`` in a plan.
- :mod:`~bipsim.uncertainty.worlds`: differences over the worlds, probability of
  being better, cost-effectiveness acceptability, the parameters driving the spread.
"""
