"""Classic evaluation and tokenizer bugs as one-place patches on tests/solutions/M9/reference/.

``CHECKS`` names the validators that must catch each bug (the tests run only those, to stay fast).
Bugs in the artifacts (checkpoint.pt, the experiment entry) are built in tests/test_validators_m9.py.
"""

from tests.judgeutil import Bug

NEW = "        new = nll[next_target - start - 1 :]  # the targets no earlier window scored\n"
BPB = '"bits_per_byte": total / (math.log(2) * len(text.encode("utf-8")))'
WINDOW = (
    "        x = ids[start : start + block_size]\n"
    "        y = ids[start + 1 : start + 1 + block_size]\n"
    "        x = x[: len(y)]\n"
)
LOSS = "    loss = total / (n - 1)\n"
PPL = '"perplexity": math.exp(loss)'

TOO_LONG = WINDOW.replace("start + block_size]", "start + block_size + 1]")
TOO_LONG = TOO_LONG.replace("1 + block_size]", "2 + block_size]")
RANDOM = (
    "        s = int(torch.randint(0, max(1, n - block_size), ()))  # a random window: an estimate\n"
    + WINDOW.replace("start", "s")
)
PADDED = (
    "        chunk = ids[start : start + block_size + 1]\n"
    "        chunk = torch.cat([chunk, torch.zeros(block_size + 1 - len(chunk), dtype=torch.long)])  # a full block\n"
    "        x, y = chunk[:-1], chunk[1:]\n"
)
MEAN_OF_MEANS = "    loss = sum(s / c for s, c in zip(sums, counts)) / len(sums)\n"
PPL_PER_WINDOW = '"perplexity": sum(math.exp(s / c) for s, c in zip(sums, counts)) / len(sums)'
MERGES = "        tokenizer.merges[(int(a), int(b))] = 256 + k\n        tokenizer.vocab[256 + k] ="
DECODE = '        data = b"".join(self.vocab[i] for i in ids)\n        return data.decode("utf-8", errors="replace")'

BUGS = [
    Bug("no_eval_mode", "    model.eval()\n    ids =", "    ids =", expect="train mode"),
    Bug("non_overlapping_windows", "stride = max(1, block_size // 2)", "stride = block_size", expect="context"),
    Bug("overlaps_counted_twice", NEW, "        new = nll  # every target of the window\n", expect="counted twice"),
    Bug("window_longer_than_block", WINDOW, TOO_LONG, expect="longer than block_size"),
    Bug("loss_in_bits", LOSS, "    loss = total / (n - 1) / math.log(2)\n", expect="log base 2"),
    Bug("perplexity_two_to_the_loss", PPL, '"perplexity": 2**loss', expect="2 ** loss"),
    Bug("bpb_per_character", BPB, BPB.replace('len(text.encode("utf-8"))', "len(text)"), expect="characters"),
    Bug("bpb_per_token", BPB, BPB.replace('len(text.encode("utf-8"))', "n"), expect="tokens, not utf-8 bytes"),
    Bug("bpb_in_nats", BPB, '"bits_per_byte": total / len(text.encode("utf-8"))', expect="divide by ln 2"),
    Bug("bpb_ln2_twice", BPB, BPB.replace("math.log(2) *", "math.log(2) ** 2 *"), expect="ln 2 applied twice"),
    Bug("mean_of_window_means", LOSS, MEAN_OF_MEANS, expect="mean of per-window means"),
    Bug("perplexity_per_window", PPL, PPL_PER_WINDOW, expect="perplexities averaged per window"),
    Bug("random_windows", WINDOW, RANDOM, expect="random-batch estimate"),
    Bug("padding_scored", WINDOW, PADDED, expect="padding scored"),
    Bug("stops_before_the_end", "while next_target < n:", "while start + block_size < n:", expect="never predicted"),
    Bug("merge_ids_from_255", MERGES, MERGES.replace("256 + k", "255 + k"), expect="merge k makes id 256 + k"),
    Bug(
        "decode_token_by_token",
        DECODE,
        '        return "".join(self.vocab[i].decode("utf-8", errors="replace") for i in ids)',
        expect="decodes them once",
        file="bpe.py",
    ),
]

CHECKS = {bug.name: ["m9.metrics"] for bug in BUGS}
CHECKS["merge_ids_from_255"] = ["m9.pretrain"]
CHECKS["decode_token_by_token"] = ["m9.pretrain"]
