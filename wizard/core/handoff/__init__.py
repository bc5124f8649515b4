"""Hand a profile to the iPhone: one secret link on the local network, shown as a QR code.

The phone's Camera reads the QR code, Safari downloads the profile and hands it to
Settings. The modules, by job: ``profile_file`` reads and inspects the .mobileconfig,
``addresses`` finds this computer's address on the network, ``server`` serves the file
once at a secret path, ``qr`` draws the link, ``steps`` says what to do on the phone.

Typical use (the CLI and the TUI both do this)::

    profile = load_profile_file(path)          # ProfileFileError: not servable
    choice = choose_host(None)                 # NoNetworkError: no address found
    server = ProfileServer(profile, host=choice.address)
    url = server.start()                       # PortInUseError, ServeError
    print(qr_text(url))
    reason = server.wait()                     # or: await server.wait_async()
"""
