"""The offline demo: a practice mail server on this computer (see ``practice.py``).

Kept empty so that ``wizard.demo.faults`` (the list behind ``--demo-fault``) can be imported
by the command line without starting, or even importing, the practice servers.
"""
