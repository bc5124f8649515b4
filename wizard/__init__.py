"""mailcom-wizard: get a mail.com mailbox working on an iPhone, right the first time."""

__version__ = "0.1.0"
