"""What the headless commands share: exit codes, their inputs, printing for a terminal.

A command imports from here, never from another command; nothing here imports a command.
"""
