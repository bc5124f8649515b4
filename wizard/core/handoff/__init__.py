"""Hand a profile to the iPhone: one secret link on the local network, shown as a QR code.

The phone's Camera reads the QR code, Safari downloads the profile and hands it to
Settings. By job: ``profile_file`` reads and inspects the .mobileconfig, ``addresses``
finds this computer's address on the network, ``server`` serves the file once at a
secret path (``listening`` binds it), ``qr`` draws the link, ``steps`` says what to do on
the phone, and ``offer`` starts it all; the CLI and the TUI both call ``start_offer``.

Typical use::

    offer = start_offer(path, allow_password=ask)  # blocks: file, address, bind
    print(qr_text(offer.url))                      # (None: a password was refused)
    print(phone_steps(offer.profile))
    reason = offer.server.wait()                   # or: await offer.server.wait_async()

``offer.server.stop()`` is safe at any time, from any thread; ``wait()`` then returns
``cancelled``.
"""
