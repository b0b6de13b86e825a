"""M14 capstone: is this sentence grammatical? My M1 logistic regression on hashed word bigrams.

The classifier is imported from milestones/M1 (my own logistic regression, unchanged); the baseline
predicts the majority class of the training labels.
"""

import numpy as np
from data import dataset
from features import featurize

from milestones.M1.logistic_regression import predict_proba, train

N_TRAIN, N_TEST, EPOCHS, LR = 500, 250, 200, 1.0


def majority_accuracy(y_train, y_test):
    """Accuracy of always answering the training set's most frequent label."""
    majority = 1.0 if y_train.mean() >= 0.5 else 0.0
    return float(np.mean(y_test == majority))


def accuracy(w, b, X, y):
    return float(np.mean((predict_proba(w, b, X) >= 0.5) == (y == 1.0)))


def evaluate(seed, n_train=N_TRAIN, n_test=N_TEST, epochs=EPOCHS):
    rows = dataset(n_train + n_test, seed)
    X = featurize([s for s, _ in rows])
    y = np.array([label for _, label in rows], dtype=float)
    w, b = train(X[:n_train], y[:n_train], lr=LR, epochs=epochs)
    return {
        "accuracy": accuracy(w, b, X[n_train:], y[n_train:]),
        "baseline_accuracy": majority_accuracy(y[:n_train], y[n_train:]),
        "train_accuracy": accuracy(w, b, X[:n_train], y[:n_train]),
    }
