"""Validators that passed work they did not check, and diagnoses that named the wrong cause (issue: trust).

Each case is a patch on a milestone's reference solution (or a small file of its own), judged in-process
(``judge_in_process``: the same probe and verdict as the sandbox, without a child per case).
"""

from __future__ import annotations

from pathlib import Path

from tests.judgeutil import SOLUTIONS, Bug, judge_in_process, lay_out, text


def _judge(tmp_path: Path, milestone: str, main: str, bug: Bug | None, checks: list[str], seed: int = 0):
    folder = lay_out(tmp_path, milestone, SOLUTIONS / milestone / "reference", bug=bug, main_file=main)
    results = judge_in_process(folder, checks, seed=seed)
    return {r.validator: r for r in results}, text(results)


# ---------------------------------------------------------------------------------------------
# checks that could not run their test must fail, never skip


def test_m6_a_block_without_mask_that_changes_shape_in_training_mode_fails(tmp_path):
    bug = Bug("no mask, other shape in train mode",
              "        return x\n", "        return x.unsqueeze(0) if self.training else x\n")
    results, shown = _judge(tmp_path, "M6", "transformer.py", bug, ["m6.block"])
    assert results["m6.block"].status == "failed", shown
    assert "causality test could not run" in shown


def test_m7_loss_curve_accepts_only_the_curve_of_the_learners_history(tmp_path):
    import json

    from llmpath.notebook.logs import append_experiment
    from llmpath.plotting.m7 import plot_m7

    folder = lay_out(tmp_path, "M7", SOLUTIONS / "M7" / "reference")
    ws = folder.parent.parent

    def log(picture: str) -> None:
        append_experiment(ws, milestone="M7", objective="o", setup="s", metrics={}, visualization=picture, notes="",
                          commit=None, dirty=False)

    (ws / "visualizations").mkdir()
    cat = ws / "visualizations" / "cat.png"  # 28 bytes: PNG magic and the start of a header, nothing drawn
    cat.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000"))
    log("visualizations/cat.png")
    (result,) = judge_in_process(folder, ["m7.loss_curve"])
    assert result.status == "failed" and "cat.png is not a PNG file" in text([result]), text([result])
    plot_m7(ws)
    log("visualizations/M7_loss.png")
    (result,) = judge_in_process(folder, ["m7.loss_curve"])
    assert result.status == "passed", text([result])
    history = folder / "loss_history.json"
    entries = json.loads(history.read_text())
    history.write_text(json.dumps(entries[:-1]))  # the picture now shows another history than the one judged
    (result,) = judge_in_process(folder, ["m7.loss_curve"])
    assert result.status == "failed" and "another version" in text([result]), text([result])


def test_m8_docs_never_counts_the_starters_own_words_or_topics(tmp_path):
    from llmpath.templates import starter_dir

    folder = lay_out(tmp_path, "M8", SOLUTIONS / "M8" / "reference")
    starter = (starter_dir("M8") / "VOCAB.md").read_text()
    for doctored in (starter.replace("TODO: ", "").replace("TODO", ""),  # the starter with "TODO" deleted
                     starter.replace("TODO: ", "") * 3):  # ... and pasted three times over
        (folder / "VOCAB.md").write_text(doctored)
        (result,) = judge_in_process(folder, ["m8.docs"])
        assert result.status == "failed", text([result])
        assert "0 words of your own" in text([result]) and "does not mention" in text([result]), text([result])


def test_m1_train_that_returns_the_data_sets_own_bayes_rule_fails(tmp_path):
    bug = Bug("Bayes rule looked up, no training",
              "def train(", "def train(X, y, lr=0.1, epochs=1000):\n"
              "    from llmpath.datasets.classification import gaussian_bayes_rule\n"
              "    return gaussian_bayes_rule(X.shape[1])\n\n\ndef _unused_train(")
    for seed in (0, 1, 2):
        results, shown = _judge(tmp_path, "M1", "logistic_regression.py", bug, ["m1.train"], seed=seed)
        assert results["m1.train"].status == "failed", shown
    results, shown = _judge(tmp_path, "M1", "logistic_regression.py", None, ["m1.train"], seed=3)
    assert results["m1.train"].status == "passed", shown


# ---------------------------------------------------------------------------------------------
# diagnoses check their premise before naming a cause


def test_m1_a_clipped_sigmoid_is_called_clipped_not_float32(tmp_path):
    clipped = Bug("sigmoid clipped", "    return np.exp(-np.logaddexp(0.0, -z))",
                  "    return np.clip(np.exp(-np.logaddexp(0.0, -z)), 1e-8, 1 - 1e-8)")
    results, shown = _judge(tmp_path, "M1", "logistic_regression.py", clipped, ["m1.sigmoid"])
    assert results["m1.sigmoid"].status == "failed"
    assert "clipped" in results["m1.sigmoid"].diagnosis and "float32" not in shown, shown
    float32 = Bug("sigmoid in float32", "    z = np.asarray(z, dtype=np.float64)\n    return np.exp",
                  "    z = np.asarray(z, dtype=np.float32)\n    return np.exp")
    results, shown = _judge(tmp_path, "M1", "logistic_regression.py", float32, ["m1.sigmoid"])
    assert "float32" in (results["m1.sigmoid"].diagnosis or ""), shown


def test_m1_texts_say_what_the_naive_sigmoid_really_does():
    import numpy as np

    from llmpath.templates import BUNDLED_ROADMAP, starter_dir

    with np.errstate(over="ignore", invalid="ignore"):
        assert 1 / (1 + np.exp(-np.float64(-1000.0))) == 0.0  # it overflows inside, and is right
        assert np.isnan(np.exp(np.float64(1000.0)) / (1 + np.exp(np.float64(1000.0))))
    readme = (starter_dir("M1") / "README.md").read_text()
    hint = BUNDLED_ROADMAP.read_text()
    for shown in (readme, hint):
        assert "still returns the right 0.0" in shown and "inf / inf = nan" in shown
    assert "1 / (1 + exp(-z)) overflows:" not in hint and "where the naive\n  formula overflows" not in readme


def test_m8_roundtrip_catches_a_merge_that_keeps_the_merged_token_and_names_it(tmp_path):
    bug = Bug("merge advances by one", "            out.append(new_id)\n            i += 2",
              "            out.append(new_id)\n            i += 1")
    results, shown = _judge(tmp_path, "M8", "bpe.py", bug, ["m8.roundtrip"])
    assert results["m8.roundtrip"].status == "failed", shown
    assert "held-out corpus text" in shown and "merge()" in (results["m8.roundtrip"].diagnosis or ""), shown


def test_m8_a_gpt2_split_pattern_is_compiled_with_regex(tmp_path):
    folder = lay_out(tmp_path, "M8", SOLUTIONS / "M8" / "reference")
    source = (folder / "bpe.py").read_text()
    gpt2 = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
    source = source.replace("    def __init__(self, pattern=SPLIT_PATTERN):",
                            f"    def __init__(self, pattern={gpt2!r}):")
    source = source.replace("        self.compiled_pattern = re.compile(pattern)",
                            "        import regex\n\n        self._split = regex.compile(pattern)")
    source = source.replace("self.compiled_pattern.findall", "self._split.findall")
    assert "compiled_pattern" not in source
    (folder / "bpe.py").write_text(source)
    results = {r.validator: r for r in judge_in_process(folder, ["m8.replay", "m8.encode"])}
    assert all(r.status == "passed" for r in results.values()), text(results.values())
    broken = "        self._split = regex.compile(pattern)\n        self.pattern = '(?P<oops'  # not what it splits by"
    (folder / "bpe.py").write_text(source.replace("        self._split = regex.compile(pattern)", broken))
    (result,) = judge_in_process(folder, ["m8.replay"])
    assert result.status == "error" and "cannot be compiled by the `regex` module" in result.summary, text([result])


def test_m8_replay_names_stale_pair_counts_and_notes_split_patterns_only_when_they_fit(tmp_path):
    stale = Bug("pairs counted once",
                "        for k in range(vocab_size - 256):\n            counts = {}\n            for ids in chunks:\n"
                "                pair_counts(ids, counts)\n            if not counts:\n                break\n"
                "            pair = max(counts, key=counts.get)\n",
                "        counts = {}\n        for ids in chunks:\n            pair_counts(ids, counts)\n"
                "        for k in range(vocab_size - 256):\n            if not counts:\n                break\n"
                "            pair = max(counts, key=counts.get)\n"
                "            counts = {p: n for p, n in counts.items() if p != pair}\n")
    results, shown = _judge(tmp_path, "M8", "bpe.py", stale, ["m8.replay"])
    assert results["m8.replay"].status == "failed", shown
    assert "stale pair counts" in (results["m8.replay"].diagnosis or ""), shown
    # a tokenizer that does not split, with a bug of another kind: no note about split patterns
    folder = lay_out(tmp_path, "M8", SOLUTIONS / "M8" / "variants" / "basic_smallest_pair")
    source = (folder / "bpe.py").read_text()
    (folder / "bpe.py").write_text(source.replace("key=lambda p: (-counts[p], p)", "key=lambda p: (counts[p], p)"))
    (result,) = judge_in_process(folder, ["m8.replay"])
    assert result.status == "failed" and "split regex as `pattern`" not in text([result]), text([result])


def test_m5_a_float32_softmax_on_float64_inputs_is_not_blamed_on_the_mask(tmp_path):
    bug = Bug("softmax in float32", "    weights = torch.softmax(scores, dim=-1)",
              "    weights = torch.softmax(scores.float(), dim=-1)")
    results, shown = _judge(tmp_path, "M5", "attention.py", bug, ["m5.attention"])
    assert results["m5.attention"].status == "failed", shown
    diagnosis = results["m5.attention"].diagnosis or ""
    assert "float32" in diagnosis and "broadcast" not in diagnosis, shown


LLAMA_BLOCK = '''
import torch
from torch import nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class TransformerBlock(nn.Module):
    def __init__(self, d_model, n_heads, d_ff=None, dropout=0.0):
        super().__init__()
        if d_model % n_heads:
            raise ValueError("d_model must be divisible by n_heads")
        hidden = 8 * (int(2 * (d_ff or 4 * d_model) / 3) // 8)  # Llama's 2/3 of 4·d, rounded
        self.h = n_heads
        self.norm1, self.norm2 = RMSNorm(d_model), RMSNorm(d_model)
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(d_model, d_model, bias=False) for _ in range(4))
        self.gate = nn.Linear(d_model, hidden, bias=False)
        self.up = nn.Linear(d_model, hidden, bias=False)
        self.down = nn.Linear(hidden, d_model, bias=False)

    def forward(self, x):
        B, T, D = x.shape
        h = self.norm1(x)
        q, k, v = (w(h).view(B, T, self.h, D // self.h).transpose(1, 2) for w in (self.wq, self.wk, self.wv))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, D)
        x = x + self.wo(y)
        h = self.norm2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))
'''


def test_m6_a_llama_block_is_named_for_what_differs_from_the_contract(tmp_path):
    folder = tmp_path / "ws" / "milestones" / "M6"
    folder.mkdir(parents=True)
    (folder / "transformer.py").write_text(LLAMA_BLOCK)
    (result,) = judge_in_process(folder, ["m6.block"])
    assert result.status == "failed", text([result])
    assert "gated MLP" in text([result]) and "one projection per head" not in text([result]), text([result])


def test_m7_unshifted_targets_are_named_by_the_checkpoint_and_history_checks(tmp_path):
    import json
    import subprocess
    import sys

    bug = Bug("targets not shifted", "        y = torch.stack([data[i + 1 : i + 1 + args.block] for i in ix])",
              "        y = torch.stack([data[i : i + args.block] for i in ix])", file="train.py")
    folder = lay_out(tmp_path, "M7", SOLUTIONS / "M7" / "reference", bug=bug)
    small = ["--steps", "30", "--block", "16", "--layers", "1", "--d", "16", "--lr", "3e-2", "--eval-every", "15"]
    proc = subprocess.run([sys.executable, "train.py", *small], cwd=folder, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # what a longer run of the same training logs: the model copies its input, so the loss goes to ~0
    steps = [{"step": s, "train_loss": 3.8 * 0.5 ** (s / 50), "val_loss": 3.8 * 0.5 ** (s / 50)} for s in
             range(0, 1001, 100)]
    (folder / "loss_history.json").write_text(json.dumps(steps))
    results = {r.validator: r for r in judge_in_process(folder, ["m7.checkpoint", "m7.history"])}
    checkpoint, history = results["m7.checkpoint"], results["m7.history"]
    assert checkpoint.status == "failed" and "shifted by one" in (checkpoint.diagnosis or ""), text([checkpoint])
    assert "untrained" not in text([checkpoint])
    assert history.status == "failed" and "shifted by one" in (history.diagnosis or ""), text([history])


def test_m4_a_misspelt_constructor_is_pointed_at(tmp_path):
    from tests.judgeutil import judge

    bug = Bug("_init_ for __init__", "    def __init__(self, data, _children=(), _op=\"\"):",
              "    def _init_(self, data, _children=(), _op=\"\"):")
    folder = lay_out(tmp_path, "M4", SOLUTIONS / "M4" / "reference", bug=bug, main_file="autograd.py")
    (result,) = judge(folder, ["m4.value"])  # through the sandbox: what the learner sees
    assert result.status == "error" and "no constructor" in result.summary, text([result])
    assert "spelt `_init_`" in result.summary


def test_readme_and_pyproject_say_what_is_judged_today():
    import re

    from llmpath.templates import BUNDLED_ROADMAP
    from llmpath.validators import future
    from llmpath.workspace.roadmap_yaml import load_roadmap

    root = Path(__file__).resolve().parent.parent
    roadmap = load_roadmap(BUNDLED_ROADMAP)
    pending = {c.name for c in future.CHECKS}
    judged = [m.id for m in roadmap.milestones()
              if not any(c.validator in pending for cr in m.criteria for c in cr.checks)]
    readme = (root / "README.md").read_text()
    stated = re.search(r"\*\*What is judged today:\*\* (.+?)\.(?: (.+?) are laid out)?", readme)
    assert stated, "README.md must say which milestones are judged today"

    def ids(text: str) -> list[str]:
        out = []
        for a, b in re.findall(r"M(\d+)(?:[–-]M(\d+))?", text):
            out += [f"M{n}" for n in range(int(a), int(b or a) + 1)]
        return out

    assert ids(stated.group(1)) == judged
    assert ids(stated.group(2) or "") == [m.id for m in roadmap.milestones() if m.id not in judged]
    description = re.search(r'^description = "(.*)"$', (root / "pyproject.toml").read_text(), re.M).group(1)
    assert ids(description.split("judged")[0].split("(")[-1]) == judged
