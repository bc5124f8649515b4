"""The UI-free core: provider data, live checks, diagnosis, instructions and profiles.

Nothing under ``wizard.core`` imports textual or rich; a test asserts it.
"""
