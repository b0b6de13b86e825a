"""The M8 verdicts: regenerate the texts, replay and re-encode with the reference BPE, compare."""

from __future__ import annotations

import re

from llmpath.validators.api import BadOutput, Verdict, VerdictContext
from llmpath.validators.m8_bpe.diagnose import (
    _ORD,
    _PER_TOKEN,
    _Case,
    _encode_diagnosis,
    _replay_diagnosis,
    _roundtrip_diagnosis,
)
from llmpath.validators.m8_bpe.outputs import (
    _most_common,
    _records,
    _token,
    _type,
    parse_chunks,
    parse_ids,
    parse_merges,
    parse_vocab,
    show,
    show_ids,
)
from llmpath.validators.m8_bpe.reference import encode_reference, replay, to_seq, train_reference, vocab_from, weighted
from llmpath.validators.m8_bpe.texts import (
    CLASSIC,
    CLASSIC_CASES,
    CLASSIC_IDS,
    INVALID_UTF8,
    corpus,
    heldout_cases,
    roundtrip_cases,
    training_text,
)

FFFD = "\ufffd"


def collapse(s: str) -> str:
    return re.sub(f"{FFFD}+", FFFD, s)


def verdict_roundtrip(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    cases = roundtrip_cases(ctx.seed, p.n_random, p.long_chars)
    records = _records(raw.get("cases"), len(cases), ("ids", "text"))
    vocab = raw.get("vocab") if isinstance(raw.get("vocab"), dict) else None
    problems: list[str] = []
    diagnoses: list[str | None] = []
    for (label, s), rec in zip(cases, records):
        if "error" in rec:
            problems.append(f"{label} {show(s)}: {rec['error']}")
            diagnoses.append(_ORD if "ValueError: bytes must be in range" in rec["error"] else None)
            continue
        ids = parse_ids(rec["ids"], f"encode({show(s, 20)})")
        back = rec["text"]
        if not isinstance(back, str):
            raise BadOutput(f"decode returned {_type(back)}, expected str")
        if back != s:
            problems.append(f"{label}: s = {show(s)} -> ids {show_ids(ids)} -> decode gave {show(back)}")
            diagnoses.append(_roundtrip_diagnosis(s, ids, back, vocab))
    n_text_problems = len(problems)
    invalid = _records(raw.get("invalid"), len(INVALID_UTF8), ("value",))
    for data, rec in zip(INVALID_UTF8, invalid):
        expected = data.decode("utf-8", errors="replace")
        if "error" in rec:
            problems.append(f"decode({list(data)}) (bytes {data!r}) raised {rec['error']}; expected {expected!r}")
            diagnoses.append("decode raises on invalid UTF-8: use bytes.decode('utf-8', errors='replace')")
            continue
        got = rec["value"]
        if not isinstance(got, str):
            raise BadOutput(f"decode returned {_type(got)}, expected str")
        if got == expected or (FFFD in got and collapse(got) == collapse(expected)):
            continue  # any number of U+FFFD per invalid run is accepted
        problems.append(f"decode({list(data)}) (bytes {data!r}) gave {got!r}, expected {expected!r}")
        if got == data.decode("utf-8", errors="ignore"):
            diagnoses.append(
                "decode drops invalid bytes (errors='ignore'?); they must become U+FFFD (errors='replace')"
            )
        elif got == "".join(bytes([b]).decode("utf-8", errors="replace") for b in data):
            diagnoses.append(_PER_TOKEN)
        elif got == data.decode("latin-1"):
            diagnoses.append(
                "decode maps ids to characters with chr(); join the tokens' bytes and decode them as UTF-8"
            )
        else:
            diagnoses.append(None)
    total = len(cases) + len(INVALID_UTF8)
    if problems:
        head = (
            f"decode(encode(s)) != s on {n_text_problems} of {len(cases)} texts"
            if n_text_problems
            else "decode(encode(s)) == s on every text"
        )
        bad_invalid = len(problems) - n_text_problems
        tail = (
            f"; decode of ids that are not valid UTF-8 went wrong {bad_invalid} of {len(INVALID_UTF8)} times"
            if bad_invalid
            else ""
        )
        return Verdict.failed(
            head + tail,
            f"trained with vocab_size={p.vocab_size} on {p.train_chars} chars of corpus + tricky text (seed "
            f"{ctx.seed})",
            *problems[:6],
            *([f"... and {len(problems) - 6} more"] if len(problems) > 6 else []),
            diagnosis=_most_common(diagnoses),
            metrics={"roundtrip_failures": float(len(problems))},
        )
    return Verdict.passed(
        f"decode(encode(s)) == s on all {len(cases)} texts (empty, emoji/ZWJ, CJK, combining marks, CRLF, NUL, "
        f"long repeats, {p.n_random} seeded random); {len(INVALID_UTF8)} invalid-UTF-8 id lists decode with U+FFFD",
        metrics={"roundtrip_cases": float(total)},
    )


def verdict_merges(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    merges = parse_merges(raw.get("merges"))
    vocab = parse_vocab(raw.get("vocab"))
    text = training_text(p.train_chars, ctx.seed)
    problems: list[str] = []
    diagnoses: list[str | None] = []
    want = p.vocab_size - 256
    if len(merges) != want:
        problems.append(f"train(text, vocab_size={p.vocab_size}) learned {len(merges)} merges, expected {want}")
        diagnoses.append(
            f"one merge too {'many' if len(merges) > want else 'few'}: vocab_size counts the 256 byte tokens, "
            f"so learn exactly vocab_size - 256 merges"
            if abs(len(merges) - want) == 1
            else None
        )
    if len(vocab) != p.vocab_size:
        problems.append(f"len(vocab) is {len(vocab)}, expected vocab_size = {p.vocab_size}")
        diagnoses.append(None)
    ids = [new for _, new in merges]
    expected = list(range(256, 256 + len(merges)))
    if ids != expected:
        first = next(k for k, (a, b) in enumerate(zip(ids, expected)) if a != b) if ids else 0
        problems.append(
            f"merge ids in order are {show_ids(ids)}, expected 256, 257, ... (first difference at merge #{first})"
        )
        if ids and sorted(ids) == expected:
            diagnoses.append("`merges` is not in the order learned: fill it as you learn (dicts keep insertion order)")
        elif ids and ids[0] in (255, 257) and ids == list(range(ids[0], ids[0] + len(ids))):
            diagnoses.append(f"the new ids start at {ids[0]}, not 256: the id offset is off by one")
        else:
            diagnoses.append(None)
    bad_bytes = [i for i in range(256) if vocab.get(i) != bytes([i])]
    if bad_bytes:
        i = bad_bytes[0]
        problems.append(f"vocab[{i}] is {vocab.get(i)!r}, expected {bytes([i])!r} (ids 0..255 are the single bytes)")
        diagnoses.append(None)
    seen: set[int] = set(range(256))
    for k, ((a, b), new) in enumerate(merges):
        if a not in seen or b not in seen:
            odd = a if a not in seen else b
            problems.append(f"merge #{k} {(a, b)} -> {new}: {odd} is not a byte or an earlier token")
            diagnoses.append(_ORD if odd >= 128 and chr(odd) in text else None)
        elif vocab.get(new) != vocab.get(a, b"?") + vocab.get(b, b"?"):
            problems.append(
                f"merge #{k} {(a, b)} -> {new}: vocab[{new}] = {vocab.get(new)!r}, expected "
                f"vocab[{a}] + vocab[{b}] = {vocab.get(a, b'?') + vocab.get(b, b'?')!r}"
            )
            reverse = vocab.get(new) == vocab.get(b, b"?") + vocab.get(a, b"?")
            diagnoses.append("vocab[new] is vocab[b] + vocab[a]: the concatenation is reversed" if reverse else None)
        seen.add(new)
        if len(problems) > 12:
            break
    if problems:
        return Verdict.failed(
            f"merges/vocab are inconsistent ({len(problems)} problem{'s' if len(problems) > 1 else ''})",
            f"trained with vocab_size={p.vocab_size} on {p.train_chars} chars of corpus + tricky text (seed "
            f"{ctx.seed})",
            *problems[:6],
            diagnosis=_most_common(diagnoses),
        )
    return Verdict.passed(
        f"{len(merges)} merges with ids 256..{p.vocab_size - 1} in order; vocab[new] == vocab[a] + vocab[b] for each; "
        f"len(vocab) == {p.vocab_size}",
        metrics={"merges": float(len(merges))},
    )


def verdict_replay(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    text = training_text(p.train_chars, ctx.seed)
    runs = [
        (f"{p.train_chars} chars of corpus + tricky text (seed {ctx.seed}), vocab_size={p.vocab_size}", text, "", ""),
        (f"{CLASSIC!r}, vocab_size=259", CLASSIC, "classic_", f" after training on {CLASSIC!r}"),
    ]
    passed = []
    for where, trained_on, key, after in runs:
        merges = parse_merges(raw.get(key + "merges"), "`merges`" + after)
        chunked = raw.get(key + "chunks") is not None
        chunks = weighted(parse_chunks(raw.get(key + "chunks"), trained_on, "the training text"))
        segs = [(to_seq(c.encode("utf-8")), w) for c, w in chunks]
        n = sum(w for _, w in chunks)
        split = f", counted inside the {n} chunk{'s' * (n != 1)} of your `pattern`" if chunked else ""
        if not merges:
            return Verdict.failed(f"train learned no merges on {where}", *passed)
        mismatch = replay(segs, merges)
        if mismatch is None:
            passed.append(f"replayed {len(merges)} merges on {where}{split}")
            continue
        step, counts = mismatch
        vocab = vocab_from(merges)
        (a, b), new = merges[step]
        got = counts.get((chr(a), chr(b)), 0)
        best = max(counts.values(), default=0)
        top = [(ord(x), ord(y)) for (x, y), n in counts.most_common(3) if n == best]
        return Verdict.failed(
            f"merge #{step} of {len(merges)} is not a most frequent pair of the training text at that step",
            f"replayed on {where}{split}",
            f"merge #{step} ({_token(vocab, a)}, {_token(vocab, b)}) -> {new} occurs {got} times in the text as "
            f"tokenized by your first {step} merges, but the most frequent pair occurs {best} times: "
            + ", ".join(f"({_token(vocab, x)}, {_token(vocab, y)})" for x, y in top),
            *passed,
            *([] if chunked or not _splits_unseen(trained_on, merges) else [_NO_PATTERN]),
            diagnosis=_replay_diagnosis(trained_on, chunks, merges, chunked),
        )
    return Verdict.passed(
        "each learned merge was a most frequent pair at its step (ties may go either way)",
        *passed,
    )


def _splits_unseen(text: str, merges: list) -> bool:
    """The premise of the note below: the merges fit counts made inside chunks of a usual split pattern."""
    import regex

    gpt2 = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    segs = [(to_seq(c.encode("utf-8")), w) for c, w in weighted(regex.findall(gpt2, text))]
    return replay(segs, merges) is None


_NO_PATTERN = (
    "(your tokenizer has no `pattern`, so pairs were counted over the whole text; if you split the text into "
    "chunks before counting, expose the split regex as `pattern`, as minbpe's RegexTokenizer does)"
)


def _verdict_encode(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    cases = heldout_cases(p.heldout_chars, ctx.seed)
    merges = parse_merges(raw.get("merges"))
    classic_merges = parse_merges(raw.get("classic_merges"), "`merges` after training on 'aaabdaaabac'")
    groups = [
        ("trained on the corpus", cases, merges, raw.get("encoded"), raw.get("chunks")),
        (
            f"trained on {CLASSIC!r} with vocab_size=259",
            [(repr(s), s) for s in CLASSIC_CASES],
            classic_merges,
            raw.get("classic_encoded"),
            raw.get("classic_chunks"),
        ),
    ]
    problems: list[str] = []
    failures: list[_Case] = []
    n_texts = 0
    for origin, texts, learned, encoded, chunk_lists in groups:
        if not isinstance(encoded, list) or not isinstance(chunk_lists, list) or len(encoded) != len(texts):
            raise BadOutput("the probe returned a malformed list of encodings")
        ranks = dict(learned)
        vocab = vocab_from(learned)
        for (label, s), got, chunk_list in zip(texts, encoded, chunk_lists):
            n_texts += 1
            got = parse_ids(got, f"encode({show(s, 20)})")
            chunks = parse_chunks(chunk_list, s, label)
            want = [i for c in chunks for i in encode_reference(c.encode("utf-8"), ranks)]
            if got == want:
                continue
            k = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)))
            problems.append(
                f"{origin}, encode({show(s, 30)}): from token {k} on got "
                f"[{', '.join(_token(vocab, i) for i in got[k : k + 3])}...], expected "
                f"[{', '.join(_token(vocab, i) for i in want[k : k + 3])}...] ({len(got)} vs {len(want)} ids)"
            )
            failures.append((s, chunks, chunk_list is not None, ranks, got))
    classic_ids = [new for _, new in classic_merges]
    classic_got = parse_ids(raw["classic_encoded"][0], f"encode({CLASSIC!r})")
    if not problems and classic_ids == [256, 257, 258] and classic_got != CLASSIC_IDS:
        return Verdict.failed(
            f"after train({CLASSIC!r}, 259), encode({CLASSIC!r}) gave {classic_got}, expected {CLASSIC_IDS}",
            f"the 3 merges learned were {dict(classic_merges)}; any tie-break gives {CLASSIC_IDS}: the training "
            "is wrong (m8.replay says where)",
        )
    if problems:
        return Verdict.failed(
            f"encode differs from applying your own merges lowest id first on {len(problems)} of {n_texts} texts",
            f"corpus tokenizer: vocab_size={p.vocab_size}, {p.train_chars} training chars (seed {ctx.seed}); "
            f"{CLASSIC!r} tokenizer: 3 merges (any tie-break encodes it as {CLASSIC_IDS})",
            *problems[:5],
            diagnosis=_encode_diagnosis(failures) if failures else None,
        )
    return Verdict.passed(
        f"encode applies your merges lowest id first on {n_texts} texts (held-out corpus, multi-byte, "
        f"'aaa', 'aaaa', {CLASSIC!r} -> {CLASSIC_IDS})",
    )


def verdict_compression(raw: dict, ctx: VerdictContext) -> Verdict:
    p = ctx.params
    text = training_text(p.train_chars, ctx.seed)
    heldout = corpus("validation", p.heldout_chars)
    merges = parse_merges(raw.get("merges"))
    ids = parse_ids(raw.get("ids"), "encode(held-out text)")
    vocab = vocab_from(merges)
    n_bytes = len(heldout.encode("utf-8"))
    spelled = b"".join(vocab.get(i, b"?") for i in ids)
    if spelled != heldout.encode("utf-8"):
        return Verdict.failed(
            "the ids of the held-out text do not spell its bytes (with the vocab your merges define)",
            f"{len(ids)} ids spell {show(spelled)}, the text is {show(heldout.encode('utf-8'))}",
        )
    chunked = raw.get("train_chunks") is not None
    train_chunks = parse_chunks(raw.get("train_chunks"), text, "the training text")
    held_chunks = parse_chunks(raw.get("heldout_chunks"), heldout, "the held-out text")
    ranks = train_reference(train_chunks, p.vocab_size)
    ref = sum(len(encode_reference(c.encode("utf-8"), ranks)) for c in held_chunks)
    ours = n_bytes / max(len(ids), 1)
    theirs = n_bytes / max(ref, 1)
    how = "with your split pattern" if chunked else "without a split pattern"
    line = (
        f"held-out text: {n_bytes} bytes -> {len(ids)} tokens = {ours:.3f} bytes/token; reference trainer "
        f"({how}, same text, vocab_size={p.vocab_size}): {ref} tokens = {theirs:.3f} bytes/token"
    )
    metrics = {"bytes_per_token": ours, "reference_bytes_per_token": theirs}
    if ours < (1 - p.tolerance) * theirs:
        return Verdict.failed(
            f"compresses held-out text to {ours:.3f} bytes/token, below {(1 - p.tolerance):.2f} x the reference's "
            f"{theirs:.3f}",
            line,
            diagnosis="encode applies no merges" if len(ids) == n_bytes else None,
            metrics=metrics,
        )
    return Verdict.passed(
        f"{ours:.3f} bytes/token on held-out text (reference trainer: {theirs:.3f})", line, metrics=metrics
    )
