"""Run torch on one thread inside a probe."""

from __future__ import annotations


class OneThread:
    """These models are tiny: on a busy machine two torch threads that wait on each other are
    several times slower than one."""

    def __enter__(self) -> None:
        import torch

        self.threads = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc: object) -> None:
        import torch

        torch.set_num_threads(self.threads)
