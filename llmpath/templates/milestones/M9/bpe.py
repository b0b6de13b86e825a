"""M9: your BPE tokenizer. Replace this file with your milestones/M8/bpe.py (pretrain.py imports it).

The contract is M8's (minbpe's interface): BPETokenizer() with train(text, vocab_size), encode(text)
-> list[int], decode(ids) -> str, merges {(a, b): new id} in the order learned, vocab {id: bytes}.
"""

from __future__ import annotations


def get_stats(ids: list[int]) -> dict[tuple[int, int], int]:
    """How often each adjacent pair of ids occurs in `ids`, e.g. [1, 2, 1, 2] -> {(1, 2): 2, (2, 1): 1}."""
    raise NotImplementedError("get_stats: count the adjacent pairs of ids")


def merge(ids: list[int], pair: tuple[int, int], idx: int) -> list[int]:
    """Replace every occurrence of `pair` in `ids` by `idx`, left to right without overlaps."""
    raise NotImplementedError("merge: scan left to right; where ids[i], ids[i+1] == pair emit idx and skip two")


class BPETokenizer:
    """Byte-level BPE: train(text, vocab_size), encode(text) -> ids, decode(ids) -> text."""

    def __init__(self) -> None:
        raise NotImplementedError("BPETokenizer.__init__: self.merges = {} and self.vocab = {i: bytes([i]) for i in range(256)}")

    def train(self, text: str, vocab_size: int, verbose: bool = False) -> None:
        """Learn vocab_size - 256 merges from the UTF-8 bytes of `text`, most frequent pair first."""
        raise NotImplementedError("BPETokenizer.train: repeatedly merge the most frequent pair; fill merges and vocab")

    def encode(self, text: str) -> list[int]:
        """The ids of `text`: its UTF-8 bytes with the learned merges applied, lowest merge id first."""
        raise NotImplementedError("BPETokenizer.encode: start from the bytes; apply the earliest-learned mergeable pair until none is left")

    def decode(self, ids: list[int]) -> str:
        """The text of `ids`; bytes that are not valid UTF-8 become U+FFFD (never raises)."""
        raise NotImplementedError("BPETokenizer.decode: join vocab[i] for each id; decode UTF-8 with errors='replace'")
