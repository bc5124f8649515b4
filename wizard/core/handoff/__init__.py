"""Hand a profile to the iPhone: one secret link on the local network, shown as a QR code.

The phone's Camera reads the QR code, Safari downloads the profile and hands it to
Settings. By job: ``profile_file`` reads a user's .mobileconfig (``serve FILE``; an
exported profile already carries its bytes), ``addresses`` finds this computer's address,
``server`` serves the bytes once (``serve_once``, awaited by the TUI's worker and run by
the CLI with ``asyncio.run``), ``qr`` draws the link, ``steps`` says what to do on the phone.
"""
