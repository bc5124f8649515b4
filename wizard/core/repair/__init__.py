"""Repair: what the iPhone shows (``symptoms``), a live check (``outcomes``), one cause (``table``),
its fix (``fixes``), as both front ends get it (``answer``, ``render``). It imports nothing
itself, so the command line can list the symptoms without loading the rest."""
