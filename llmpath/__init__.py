"""llmpath: a judge and lab notebook for a 14-milestone path to LLM engineering."""

__version__ = "0.1.0"
