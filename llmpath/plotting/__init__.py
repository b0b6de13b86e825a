"""Pictures people would rather look at than read: convergence and loss curves (matplotlib, Agg).

Learner code never runs here: ``m3`` asks the judge to run the learner's optimizers in the sandbox
and draws what comes back; ``m7`` reads the loss history the learner's training wrote.
"""

__all__ = ["m3", "m7", "m9", "result"]
