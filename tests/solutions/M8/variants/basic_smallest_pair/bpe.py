"""Byte-level BPE without a split pattern (minbpe's BasicTokenizer idea).

Differs from the reference: no chunks (pairs may span words), ties between equally frequent pairs
go to the smallest pair, encode applies each merge once in the order learned (equivalent to
"merge the lowest-ranked pair present" because a pair can only contain tokens learned earlier).
"""

from collections import Counter


class BPETokenizer:
    def __init__(self):
        self.pattern = ""  # minbpe's convention for "no split pattern"
        self.merges = {}
        self.vocab = {i: bytes([i]) for i in range(256)}

    @staticmethod
    def _merge(ids, pair, new_id):
        out = []
        skip = False
        for i, t in enumerate(ids):
            if skip:
                skip = False
            elif i + 1 < len(ids) and (t, ids[i + 1]) == pair:
                out.append(new_id)
                skip = True
            else:
                out.append(t)
        return out

    def train(self, text, vocab_size, verbose=False):
        ids = list(text.encode("utf-8"))
        self.merges = {}
        self.vocab = {i: bytes([i]) for i in range(256)}
        for new_id in range(256, vocab_size):
            counts = Counter(zip(ids, ids[1:]))
            if not counts:
                break
            pair = min(counts, key=lambda p: (-counts[p], p))
            ids = self._merge(ids, pair, new_id)
            self.merges[pair] = new_id
            self.vocab[new_id] = self.vocab[pair[0]] + self.vocab[pair[1]]

    def encode(self, text):
        ids = list(text.encode("utf-8"))
        for pair, new_id in sorted(self.merges.items(), key=lambda kv: kv[1]):
            if len(ids) < 2:
                break
            if pair in zip(ids, ids[1:]):
                ids = self._merge(ids, pair, new_id)
        return ids

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            data += self.vocab[i]
        return bytes(data).decode("utf-8", errors="replace")
