"""The learner's lab notebook: ``experiments_log.md`` and ``learning_journal.md``.

Append-only Markdown a person enjoys reading and llmpath parses back (``logs``): entries are
appended under a lock and never rewritten, and words typed by the learner can never break the
format. Documentation checks and the checks that recompute reported numbers read it from here.
"""

__all__ = ["logs"]
