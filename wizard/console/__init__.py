"""What the headless commands share: exit codes, reading their inputs, printing for a terminal.

Below ``wizard.commands`` and above ``wizard.core``: a command imports from here, never
from another command, and nothing here imports ``wizard.cli`` or a command.
"""
