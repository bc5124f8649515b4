"""Hand a profile to the iPhone: one secret link on the local network, shown as a QR code.

The phone's Camera reads the QR code, Safari downloads the profile and hands it to
Settings. By job: ``profile_file`` reads and inspects the .mobileconfig, ``addresses``
finds this computer's address on the network, ``server`` serves the file once at a
secret path (``listening`` binds it, ``connections`` keeps its clients in bounds), ``qr``
draws the link, ``steps`` says what to do on the phone, and ``offer`` starts it all: the
CLI calls ``start_offer``, the TUI the same function in a thread (``start_offer_async``).

Typical use::

    offer = start_offer(path, allow_password=ask)  # blocks: file, address, bind
    if offer is not None:                          # None: a password was not to go out
        print(qr_text(offer.url))                  # and phone_steps(offer.profile)
        reason = offer.server.wait()               # or: await offer.server.wait_async()

``offer.server.stop()`` is safe at any time, from any thread; ``wait()`` then returns
``cancelled``.
"""
