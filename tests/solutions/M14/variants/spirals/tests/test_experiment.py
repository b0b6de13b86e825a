import numpy as np
from milestones.M2.mlp import MLP
from spiral.experiment import accuracy, compare, split, train_adam


def test_split_is_seeded_and_disjoint():
    (Xa, ya), (Xb, yb) = split(1, n=60, n_train=40)
    assert Xa.shape == (40, 2) and Xb.shape == (20, 2)
    assert np.array_equal(split(1, n=60, n_train=40)[0][0], Xa)
    assert not any((Xb == row).all(axis=1).any() for row in Xa)
    assert set(np.unique(np.concatenate([ya, yb]))) == {0, 1, 2}


def test_accuracy_counts_argmax_hits():
    model = MLP([2, 3], seed=0)
    model.params["W1"][...] = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    assert accuracy(model, X, np.array([0, 1, 2])) == 2 / 3


def test_adam_lowers_the_loss():
    (X, y), _ = split(2, n=90, n_train=60)
    losses = train_adam(MLP([2, 8, 3], seed=2), X, y, lr=0.05, steps=30)
    assert len(losses) == 30 and losses[-1] < 0.9 * losses[0]


def test_compare_reports_both_optimizers():
    got = compare(3, steps=60, hidden=16)
    assert set(got) == {"accuracy", "baseline_accuracy", "final_loss", "baseline_final_loss"}
    assert got["final_loss"] < got["baseline_final_loss"] < 0.9  # both trained: ln 3 = 1.1 at the start
    assert 1 / 3 < got["accuracy"] <= 1.0 and got == compare(3, steps=60, hidden=16)


GOLDEN = {"accuracy": 0.5, "baseline_accuracy": 0.75, "final_loss": 0.8172838339593214,
          "baseline_final_loss": 0.745340019487616}  # compare(3, steps=20, hidden=8), recorded once


def test_compare_regression():
    got = compare(3, steps=20, hidden=8)
    assert got.keys() == GOLDEN.keys()
    for name, value in GOLDEN.items():
        assert np.isclose(got[name], value, rtol=1e-9, atol=0), name
