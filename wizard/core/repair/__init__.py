"""Repair: from what the iPhone shows, through a live check, to one most likely cause and its fix.

``symptoms`` (what the phone shows and uses) -> ``outcomes`` (the check in one code) ->
``table`` (the cause) -> ``fixes`` and ``network`` (its words and steps) -> ``answer``
(``diagnose_repair``, what both front ends call) -> ``render``. Every code is stable.

The package imports nothing itself, so the command line can list the symptoms
(``symptoms``) without loading the rest.
"""
