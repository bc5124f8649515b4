"""Reusable pieces of the wizard's screens, each with its own DEFAULT_CSS."""
