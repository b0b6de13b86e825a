"""Byte-level BPE with a fast trainer: distinct chunks with counts, incremental pair counts, a lazy heap.

Differs from the reference: its own split pattern, ties go to the largest pair, training only
re-tokenizes the chunks that contain the merged pair, encode uses a heap over a linked list of
positions, decode uses an incremental UTF-8 decoder.
"""

import codecs
import heapq
import re
from collections import Counter, defaultdict

PATTERN = r""" ?\w+| ?[^\w\s]+|\s+(?!\S)|\s+"""


def _merge(ids, pair, new_id):
    out = []
    i = 0
    n = len(ids)
    while i < n:
        if i + 1 < n and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


class BPETokenizer:
    def __init__(self):
        self.pattern = PATTERN
        self.compiled_pattern = re.compile(PATTERN)
        self.merges = {}
        self.vocab = {i: bytes([i]) for i in range(256)}

    def train(self, text, vocab_size, verbose=False):
        words = [(list(w.encode("utf-8")), n) for w, n in Counter(self.compiled_pattern.findall(text)).items()]
        counts = Counter()
        where = defaultdict(set)  # pair -> indices of the words that contain it
        for k, (ids, n) in enumerate(words):
            for pair in zip(ids, ids[1:]):
                counts[pair] += n
                where[pair].add(k)
        heap = [(-c, (-p[0], -p[1])) for p, c in counts.items()]
        heapq.heapify(heap)
        self.merges = {}
        self.vocab = {i: bytes([i]) for i in range(256)}
        new_id = 256
        while new_id < vocab_size and heap:
            neg, key = heapq.heappop(heap)
            pair = (-key[0], -key[1])
            if counts.get(pair, 0) != -neg or -neg <= 0:
                continue  # stale entry
            self.merges[pair] = new_id
            self.vocab[new_id] = self.vocab[pair[0]] + self.vocab[pair[1]]
            touched = set()
            for k in list(where[pair]):
                ids, n = words[k]
                merged = _merge(ids, pair, new_id)
                for p in zip(ids, ids[1:]):
                    counts[p] -= n
                    touched.add(p)
                for p in zip(merged, merged[1:]):
                    counts[p] += n
                    where[p].add(k)
                    touched.add(p)
                words[k] = (merged, n)
            del where[pair]
            for p in touched:
                if counts[p] > 0:
                    heapq.heappush(heap, (-counts[p], (-p[0], -p[1])))
            new_id += 1

    def _encode_chunk(self, data):
        ids = list(data)
        n = len(ids)
        nxt = list(range(1, n)) + [-1]
        prv = [-1] + list(range(n - 1))
        alive = [True] * n
        heap = [(self.merges[(ids[i], ids[i + 1])], i) for i in range(n - 1) if (ids[i], ids[i + 1]) in self.merges]
        heapq.heapify(heap)
        while heap:
            rank, i = heapq.heappop(heap)
            j = nxt[i] if alive[i] else -1
            if j < 0 or self.merges.get((ids[i], ids[j])) != rank:
                continue  # stale
            ids[i] = rank
            alive[j] = False
            nxt[i] = nxt[j]
            if nxt[j] >= 0:
                prv[nxt[j]] = i
            for a in (prv[i], i):
                b = nxt[a] if a >= 0 else -1
                if a >= 0 and b >= 0 and (ids[a], ids[b]) in self.merges:
                    heapq.heappush(heap, (self.merges[(ids[a], ids[b])], a))
        return [ids[i] for i in range(n) if alive[i]]

    def encode(self, text):
        cache = {}
        out = []
        for chunk in self.compiled_pattern.findall(text):
            if chunk not in cache:
                cache[chunk] = self._encode_chunk(chunk.encode("utf-8"))
            out.extend(cache[chunk])
        return out

    def decode(self, ids):
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts = [decoder.decode(self.vocab[i]) for i in ids]
        parts.append(decoder.decode(b"", final=True))
        return "".join(parts)
