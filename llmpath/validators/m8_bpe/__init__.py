"""Validators for M8: a byte-level BPE tokenizer with minbpe's interface (``milestones/M8/bpe.py``).

The learner's ``BPETokenizer()`` is trained on story text from ``llmpath.datasets`` followed by a
seeded "tricky" section (multi-byte characters, emoji, runs of one character, CRLF, NUL), then:

* ``m8.roundtrip``   decode(encode(s)) == s on adversarial and seeded random text; decoding ids whose
  bytes are invalid UTF-8 gives U+FFFD and never raises.
* ``m8.merges``      merge ids are 256, 257, ... in the order learned; vocab[new] == vocab[a] + vocab[b];
  exactly ``vocab_size - 256`` merges.
* ``m8.replay``      the training text is re-tokenized step by step with the learner's merges; at every
  step the learned pair must have the largest pair count (any tie-break passes), counted inside the
  chunks of the learner's split pattern when it has one (minbpe's RegexTokenizer exposes ``pattern``).
* ``m8.encode``      encode equals an encoder that applies the learner's own merges lowest id first, on
  held-out text and on the overlapping cases "aaa", "aaaa", "aaabdaaabac".
* ``m8.compression`` bytes per token on held-out text, next to a reference trainer's on the same text.
* ``m8.docs``        ``milestones/M8/VOCAB.md`` documents the vocabulary and the merge rules.

The texts are in ``texts``, the reference BPE the verdicts replay and compare with in
``reference``. A learner's exception on one adversarial input is a finding (``failed``,
with the input), not a crash; NotImplementedError still reports the stub as not implemented.

Sizes: 3,000-6,000 characters of stories plus 1/8 as much tricky text, vocab_size 300-356. On a
loaded 2-core machine minbpe's naive trainer (O(text x merges)) takes 0.04-0.16 s per check for
BasicTokenizer and 0.08-0.30 s for RegexTokenizer; each check allows 60 s, so any correct
implementation, however naive, passes.
"""

from __future__ import annotations

# Each module below does one job; the names that tests use are re-exported here.
from llmpath.validators.api import BadOutput, Check
from llmpath.validators.m8_bpe.docs import verdict_docs
from llmpath.validators.m8_bpe.params import (
    CompressionParams,
    DocsParams,
    EncodeParams,
    MergesParams,
    ReplayParams,
    RoundtripParams,
)
from llmpath.validators.m8_bpe.probes import (
    _probe_compression,
    _probe_encode,
    _probe_merges,
    _probe_replay,
    _probe_roundtrip,
)
from llmpath.validators.m8_bpe.verdicts import (
    _verdict_encode,
    collapse,
    verdict_compression,
    verdict_merges,
    verdict_replay,
    verdict_roundtrip,
)

# the checks, and the names that tests and pictures import from the package
__all__ = [
    "BadOutput",
    "collapse",
]

CHECKS: tuple[Check, ...] = (
    Check(
        name="m8.roundtrip",
        description="M8: decode(encode(s)) == s on adversarial text; invalid UTF-8 decodes to U+FFFD",
        probe=_probe_roundtrip,
        verdict=verdict_roundtrip,
        params=RoundtripParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.merges",
        description="M8: merge ids 256, 257, ... in order; vocab[new] == vocab[a] + vocab[b]; vocab size honoured",
        probe=_probe_merges,
        verdict=verdict_merges,
        params=MergesParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.replay",
        description="M8: each learned merge is a most frequent pair when the training is replayed",
        probe=_probe_replay,
        verdict=verdict_replay,
        params=ReplayParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.encode",
        description="M8: encode applies the learned merges lowest id first",
        probe=_probe_encode,
        verdict=_verdict_encode,
        params=EncodeParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.compression",
        description="M8: bytes per token on held-out text, next to a reference trainer's",
        probe=_probe_compression,
        verdict=verdict_compression,
        params=CompressionParams,
        timeout_s=60,
        memory_mb=1024,
    ),
    Check(
        name="m8.docs",
        description="M8: the vocabulary and merge rules are documented in milestones/M8/VOCAB.md",
        verdict=verdict_docs,
        params=DocsParams,
    ),
)
