"""Pictures people would rather look at than read: convergence and loss curves."""
