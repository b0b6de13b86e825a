import numpy as np
from capstone import accuracy, evaluate, majority_accuracy


def test_majority_baseline():
    assert majority_accuracy(np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0, 0.0])) == 0.25
    assert majority_accuracy(np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 0.0])) == 0.75


def test_accuracy_of_a_fixed_classifier():
    X = np.array([[1.0], [-1.0], [2.0]])
    assert accuracy(np.array([1.0]), 0.0, X, np.array([1.0, 0.0, 0.0])) == 2 / 3


def test_evaluate_beats_the_majority_baseline():
    got = evaluate(2, n_train=200, n_test=100, epochs=60)
    assert set(got) == {"accuracy", "baseline_accuracy", "train_accuracy"}
    assert got["baseline_accuracy"] + 0.1 < got["accuracy"] <= got["train_accuracy"] <= 1.0
    assert got == evaluate(2, n_train=200, n_test=100, epochs=60)
