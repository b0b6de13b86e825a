"""M8 starter (test stand-in until the template exists): every method still to be written."""


class BPETokenizer:
    def __init__(self):
        self.merges = {}
        self.vocab = {i: bytes([i]) for i in range(256)}

    def train(self, text, vocab_size, verbose=False):
        raise NotImplementedError("train: learn vocab_size - 256 merges")

    def encode(self, text):
        raise NotImplementedError("encode")

    def decode(self, ids):
        raise NotImplementedError("decode")
