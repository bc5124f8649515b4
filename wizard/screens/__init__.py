"""One module per step of the wizard; each screen dismisses with its result."""
