"""Classic BPE bugs, each a one-place patch on reference/bpe.py, with the diagnosis it must get."""

from tests.judgeutil import Bug

_MERGE_LTR = """    out = []
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out
"""
_MERGE_RTL = """    out = []
    i = len(ids) - 1
    while i >= 0:
        if i >= 1 and ids[i - 1] == pair[0] and ids[i] == pair[1]:
            out.append(new_id)
            i -= 2
        else:
            out.append(ids[i])
            i -= 1
    return out[::-1]
"""
_LOWEST_RANK = 'pair = min(pairs, key=lambda p: self.merges.get(p, float("inf")))'

BUGS = [
    Bug("merge_overlaps_from_the_right", _MERGE_LTR, _MERGE_RTL, expect="overlapping pairs are merged from the right"),
    Bug(
        "merge_forgets_to_skip_the_second_token",
        "            out.append(new_id)\n            i += 2",
        "            out.append(new_id)\n            i += 1",
        expect=None,
    ),
    Bug(
        "encode_merges_first_mergeable_pair",
        _LOWEST_RANK,
        "pair = next((p for p in zip(ids, ids[1:]) if p in self.merges), None)",
        expect="first mergeable pair found left to right",
    ),
    Bug(
        "encode_merges_highest_id_first",
        _LOWEST_RANK,
        "pair = max(pairs, key=lambda p: self.merges.get(p, -1))",
        expect="highest merge id first",
    ),
    Bug(
        "encode_applies_no_merges",
        "out.extend(self.encode_chunk(to_bytes(chunk)))",
        "out.extend(to_bytes(chunk))",
        expect="applies no merges",
    ),
    Bug(
        "encode_ignores_the_split_pattern",
        "for chunk in self.compiled_pattern.findall(text):\n            out.extend",
        "for chunk in [text]:\n            out.extend",
        expect="encode ignores the split pattern",
    ),
    Bug(
        "decode_token_by_token",
        'data = b"".join(self.vocab[i] for i in ids)\n        return data.decode("utf-8", errors="replace")',
        'return "".join(self.vocab[i].decode("utf-8", errors="replace") for i in ids)',
        expect="decoding token by token",
    ),
    Bug(
        "decode_strict_raises",
        'data.decode("utf-8", errors="replace")',
        'data.decode("utf-8")',
        expect="decode raises on invalid utf-8",
    ),
    Bug(
        "decode_ignores_invalid_bytes",
        'data.decode("utf-8", errors="replace")',
        'data.decode("utf-8", errors="ignore")',
        expect="errors='ignore'",
    ),
    Bug(
        "ord_instead_of_utf8_bytes",
        'return list(text.encode("utf-8"))',
        "return [ord(c) for c in text]",
        expect="ord() instead of the utf-8 bytes",
    ),
    Bug("new_ids_start_at_257", "new_id = 256 + k", "new_id = 257 + k", expect="id offset is off by one"),
    Bug(
        "one_merge_too_many",
        "for k in range(vocab_size - 256):",
        "for k in range(vocab_size - 255):",
        expect="one merge too many",
    ),
    Bug(
        "train_counts_across_chunk_boundaries",
        "chunks = [to_bytes(chunk) for chunk in self.compiled_pattern.findall(text)]",
        "chunks = [to_bytes(text)]",
        expect="counting pairs across chunk boundaries",
    ),
    Bug(
        "train_picks_the_least_frequent_pair",
        "pair = max(counts, key=counts.get)",
        "pair = min(counts, key=counts.get)",
        expect="not a most frequent pair",
    ),
    Bug(
        "vocab_concatenation_reversed",
        "vocab[new_id] = vocab[pair[0]] + vocab[pair[1]]",
        "vocab[new_id] = vocab[pair[1]] + vocab[pair[0]]",
        expect="concatenation is reversed",
    ),
    Bug(
        "merges_sorted_by_pair",
        "self.merges = merges",
        "self.merges = dict(sorted(merges.items()))",
        expect="not in the order learned",
    ),
]
