"""The offline demo: a practice mail server on this computer (see ``practice.py``)."""
