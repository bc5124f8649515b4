"""Hand a profile to the iPhone: a one-time link on the local network, shown as a QR code."""
