"""Offline builds: the clean-news corpus, the KenLM model and the reverse thesaurus table."""
