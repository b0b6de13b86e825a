"""Classic RAG bugs as one-place patches on tests/solutions/M11/reference/rag.py, with the diagnosis each must get.

``CHECKS`` names the validators that must catch each bug (the tests run only those, to stay fast).
Bugs in the experiment log (numbers that cannot be reproduced) are built in tests/test_validators_m11.py.
"""

from tests.judgeutil import Bug

ARTICLES = '    text = re.sub(r"\\b(a|an|the)\\b", " ", text)\n'
PUNCT = '    text = "".join(c for c in text.lower() if c not in set(string.punctuation))\n'
TOKENS = "    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()\n"
RETURN = "        return ranking[:k]\n"
ORDER = "        return sorted(range(len(scores)), key=lambda i: (-scores[i], i))"
READ = "        doc_ids = self.retrieve(query, 5)\n"
CACHE = (
    "    def answer(self, query: str) -> str:\n"
    "        cache = globals().setdefault('_ANSWERS', {})  # answers remembered across instances\n"
    "        if query not in cache:\n"
    "            cache[query] = self.fresh_answer(query)\n"
    "        return cache[query]\n\n"
    "    def fresh_answer(self, query: str) -> str:\n"
)

BUGS = [
    # m11.metrics
    Bug("articles_not_removed", ARTICLES, "", expect="articles (a, an, the) are not removed"),
    Bug(
        "articles_before_punctuation",
        PUNCT + ARTICLES,
        ARTICLES.replace("text)", "text.lower())") + PUNCT,
        expect="articles are removed before punctuation",
    ),
    Bug(
        "f1_on_characters",
        TOKENS,
        "    pred, gold = list(normalize_answer(prediction)), list(normalize_answer(truth))\n",
        expect="characters instead of tokens",
    ),
    Bug(
        "f1_counts_sets",
        "    same = sum((Counter(pred) & Counter(gold)).values())\n",
        "    same = len(set(pred) & set(gold))\n",
        expect="counted as sets",
    ),
    Bug(
        "f1_returns_precision",
        "    return 2 * precision * recall / (precision + recall)\n",
        "    return precision\n",
        expect="f1 returns precision",
    ),
    Bug(
        "exact_match_on_raw_strings",
        "    return float(normalize_answer(prediction) == normalize_answer(truth))\n",
        "    return float(prediction == truth)\n",
        expect="compares the raw strings",
    ),
    # m11.retrieval
    Bug("ids_least_relevant_first", ORDER, ORDER.replace("-scores[i]", "scores[i]"), expect="ascending score"),
    Bug("ids_in_reverse_order", RETURN, "        return ranking[:k][::-1]\n", expect="wrong order"),
    Bug("ids_one_based", RETURN, "        return [i + 1 for i in ranking[:k]]\n", expect="1-based"),
    Bug("duplicate_ids", RETURN, "        return (ranking[:1] + ranking)[:k]\n", expect="duplicate ids"),
    Bug("k_ignored", RETURN, "        return ranking[:10]\n", expect="k is ignored"),
    Bug(
        "query_scored_against_itself",
        RETURN,
        "        return ([len(self.documents)] + ranking)[:k]\n",
        expect="scored against itself",
    ),
    # m11.answers
    Bug(
        "always_abstains",
        "        entity, paths = self.plan(query)\n        if entity is None:",
        "        entity, paths = self.plan(query)\n        if True:",
        expect="every answer is an abstention",
    ),
    Bug("never_abstains", 'ABSTAIN = "unknown"', 'ABSTAIN = "the documents do not say"', expect="never abstains"),
    Bug(
        "answers_whole_sentences",
        '                        return m.group("a")',
        "                        return sentence.strip()",
        expect="whole sentences",
    ),
    # m11.grounding
    Bug(
        "answers_cached_by_question",
        "    def answer(self, query: str) -> str:\n",
        CACHE,
        expect="cache keyed by the question",
    ),
    Bug(
        "reads_every_document",
        READ,
        "        doc_ids = list(range(len(self.documents)))\n",
        expect="never consults retrieval",
    ),
    Bug(
        "calls_retrieve_but_reads_everything",
        READ,
        "        self.retrieve(query, 5)\n        doc_ids = list(range(len(self.documents)))\n",
        expect="do not come from the retrieved text",
    ),
    Bug("ids_sorted_by_id", RETURN, "        return sorted(ranking[:k])\n", expect="follow a shuffle"),
]

CHECKS = {
    **dict.fromkeys(
        [
            "articles_not_removed",
            "articles_before_punctuation",
            "f1_on_characters",
            "f1_counts_sets",
            "f1_returns_precision",
            "exact_match_on_raw_strings",
        ],
        ["m11.metrics"],
    ),
    **dict.fromkeys(
        [
            "ids_least_relevant_first",
            "ids_in_reverse_order",
            "ids_one_based",
            "duplicate_ids",
            "k_ignored",
            "query_scored_against_itself",
        ],
        ["m11.retrieval"],
    ),
    **dict.fromkeys(["always_abstains", "never_abstains", "answers_whole_sentences"], ["m11.answers"]),
    **dict.fromkeys(
        [
            "answers_cached_by_question",
            "reads_every_document",
            "calls_retrieve_but_reads_everything",
            "ids_sorted_by_id",
        ],
        ["m11.grounding"],
    ),
}
