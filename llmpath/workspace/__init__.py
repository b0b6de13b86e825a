"""The learner's workspace as data: the roadmap, the progress record, the rules and the evidence.

* ``locate``: find the workspace (the first folder upward holding ``roadmap.yaml``).
* ``roadmap`` (pydantic schema, consistency rules) and ``roadmap_yaml`` (``load_roadmap``: safe
  YAML with a line number on every error).
* ``views``: the cached, plain-data view of a validated roadmap for the instant ``status`` path.
* ``progress``: ``.llmpath/progress.json``, written atomically under a lock; ``state_doc``: the rules
  it follows and its seal, checked alike by every command.
* ``roadmap_hash``: what the learner is judged against, as a hash, and how two roadmaps differ.
* ``gates``: pure functions deciding what is unlocked and what blocks the next unlock.
* ``evidence`` (git: commits, dirty files, tags), ``checklist`` (the milestone README's boxes),
  ``scaffold`` (starter files, never overwriting the learner's).
* ``history`` (a commit's files laid out in a folder, read with git's plumbing only) and
  ``roadmap_identity`` (a roadmap's sha256, and which criteria differ between two): for ``verify``.

Commands build on these; nothing here runs learner code or prints.
"""

__all__ = [
    "checklist",
    "evidence",
    "gates",
    "history",
    "locate",
    "progress",
    "roadmap",
    "roadmap_hash",
    "roadmap_identity",
    "roadmap_yaml",
    "scaffold",
    "state_doc",
    "views",
]
