"""Hand a profile to the iPhone: one secret link on the local network, shown as a QR code
(``serve_once`` serves it from memory; the phone's Camera and Safari take it to Settings)."""
