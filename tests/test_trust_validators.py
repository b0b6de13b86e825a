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
