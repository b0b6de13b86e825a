"""Classic GPT bugs as one-place patches on tests/solutions/M7/reference/model.py.

``checks`` names the validators that must catch each bug (the tests run only those, to stay fast).
Bugs in the artifacts (checkpoint.pt, loss_history.json) are built in tests/test_validators_m7.py.
"""

from tests.judgeutil import Bug

MASK = 'scores = scores.masked_fill(~self.mask[:T, :T], float("-inf"))'
TRIL = "mask = torch.tril(torch.ones(block_size, block_size, dtype=torch.bool))"
TEMP = "logits = self(context)[:, -1, :] / temperature"

BUGS = [
    Bug("no_causal_mask", MASK, "pass  # the mask is never applied", expect="no causal mask"),
    Bug("mask_off_by_one", TRIL, TRIL.replace("))", "), diagonal=1)"), expect="off-by-one"),
    Bug("mask_hides_current_token", TRIL, TRIL.replace("))", "), diagonal=-1)"), expect="hides the current token"),
    Bug("softmax_over_queries", "F.softmax(scores, dim=-1)", "F.softmax(scores, dim=-2)", expect="every later token"),
    Bug("top_k_ignored", "logits = logits.masked_fill(logits < kth", "logits.masked_fill(logits < kth", expect="top_k"),
    Bug("top_k_keeps_one_too_many", "min(top_k, logits.size(-1))", "min(top_k + 1, logits.size(-1))", expect="top_k"),
    Bug("returns_only_new_tokens", "        return idx\n", "        return idx[:, -max_new_tokens:]\n", expect="only the new tokens"),
    Bug("temperature_multiplied", TEMP, TEMP.replace("/ temperature", "* temperature"), expect="multiplied by the temperature"),
    Bug("temperature_ignored", TEMP, TEMP.replace(" / temperature", ""), expect="temperature is ignored"),
    Bug("argmax_instead_of_sampling", "torch.multinomial(probs, num_samples=1)", "probs.argmax(dim=-1, keepdim=True)", expect="always takes the most likely"),
    Bug("no_context_crop", "context = idx[:, -self.block_size :]", "context = idx", expect="crop the context"),
    Bug("no_position_embedding", "self.tok_emb(idx) + self.pos_emb(pos)", "self.tok_emb(idx)", expect="validation loss is too high"),
    Bug("attention_not_scaled", "(q @ k.transpose(-2, -1)) / math.sqrt(hs)", "(q @ k.transpose(-2, -1))", expect="validation loss is too high"),
]

# which validators each bug must fail (the others are not run for it)
CHECKS = {
    "no_causal_mask": ["m7.causality"],
    "mask_off_by_one": ["m7.causality"],
    "mask_hides_current_token": ["m7.causality"],
    "softmax_over_queries": ["m7.causality"],
    "top_k_ignored": ["m7.generate"],
    "top_k_keeps_one_too_many": ["m7.generate"],
    "returns_only_new_tokens": ["m7.generate"],
    "temperature_multiplied": ["m7.generate"],
    "temperature_ignored": ["m7.generate"],
    "argmax_instead_of_sampling": ["m7.generate"],
    "no_context_crop": ["m7.generate"],
    "no_position_embedding": ["m7.checkpoint"],
    "attention_not_scaled": ["m7.checkpoint"],
}
