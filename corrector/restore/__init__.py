"""Restoration: the beam decoder, the document passes and the neural selection and verification."""
