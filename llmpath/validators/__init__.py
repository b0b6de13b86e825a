"""Validators, one module per milestone; see ``api.py`` for how to write one."""
