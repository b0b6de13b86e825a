# The capstones here carry their own pytest suites: they are run by the M14 judge in the tests
# (tests/test_validators_m14.py), never collected as part of llmpath's own test suite.
collect_ignore = ["reference", "variants"]
