"""Adaptation: learn a spinner's channel from a feed of its output by EM."""
