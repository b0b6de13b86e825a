"""Evaluate rag.py on one split of a knowledge base and print the metrics to log (M11 README's definitions).

python evaluate.py --seed 0 --split test
"""

from __future__ import annotations

import argparse
import json

from rag import RAG, exact_match, f1

from llmpath.datasets import is_abstention, knowledge_base


def evaluate(seed: int, split: str) -> dict[str, float]:
    kb = knowledge_base(seed)
    rag = RAG(list(kb.documents))
    questions = kb.questions(split)
    em = f = r1 = r5 = rr = 0.0
    abstained = abstained_right = 0
    answerable = [q for q in questions if q.answerable]
    for q in questions:
        answer = rag.answer(q.text)
        if is_abstention(answer):
            abstained += 1
            abstained_right += not q.answerable
        if not q.answerable:
            continue
        em += exact_match(answer, q.answer)
        f += f1(answer, q.answer)
        ranking = rag.retrieve(q.text, 10)
        gold = set(q.doc_ids)
        r1 += len(gold & set(ranking[:1])) / len(gold)
        r5 += len(gold & set(ranking[:5])) / len(gold)
        rank = next((i + 1 for i, d in enumerate(ranking) if d in gold), None)
        rr += 1 / rank if rank else 0.0
    n, n_unanswerable = len(answerable), len(questions) - len(answerable)
    return {
        "exact_match": em / n,
        "f1": f / n,
        "recall_at_1": r1 / n,
        "recall_at_5": r5 / n,
        "mrr": rr / n,
        "abstain_precision": abstained_right / max(abstained, 1),
        "abstain_recall": abstained_right / max(n_unanswerable, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    print(json.dumps({k: round(v, 4) for k, v in evaluate(args.seed, args.split).items()}))
