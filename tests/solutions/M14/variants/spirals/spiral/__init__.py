"""Spirals: does my Adam (M3) train my MLP (M2) better than plain gradient descent in the same steps?"""
