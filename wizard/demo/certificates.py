"""Certificates for the practice server: a throwaway CA made at start, and the faulty ones.

The CA lives only in memory and in the demo's temporary folder; it is trusted by nothing
but the clients of this run (through ``--cafile`` / ``CheckOptions.cafile``). Nothing is
ever installed in a system or user trust store.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path

import trustme

#: Issuer of the certificate shown in the ``intercepted`` fault: what an antivirus
#: program that inspects mail connections puts in place of the real one.
INTERCEPTOR_ORGANIZATION = "Antivirus Web/Mail Shield (practice)"
INTERCEPTOR_UNIT = "Mail Shield Root"
#: The host a ``wrong-host`` certificate is made for: a name that is not the server's.
WRONG_HOST = "mail.shared-hosting.example"


@dataclass(frozen=True)
class DemoCertificates:
    """The trusted demo CA (as a PEM file) and the server context every TLS endpoint uses."""

    cafile: Path
    server_context: ssl.SSLContext


def make_certificates(folder: Path, fault: str | None, hosts: tuple[str, ...]) -> DemoCertificates:
    """Make the demo CA and the server certificate that ``fault`` calls for, inside ``folder``.

    The certificate names the real servers' ``hosts`` (imap.mail.com, ...): the check dials
    this computer instead, but verifies the names it would verify for real.
    """
    ca = trustme.CA(organization_name="mailcom-wizard demo", organization_unit_name="Practice CA")
    cafile = folder / "demo-ca.pem"
    ca.cert_pem.write_to_path(str(cafile))

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if fault == "intercepted":
        # A different CA that the client was never told about, named like the mail shields
        # of antivirus programs: the same picture a user behind one of them gets.
        interceptor = trustme.CA(
            organization_name=INTERCEPTOR_ORGANIZATION,
            organization_unit_name=INTERCEPTOR_UNIT,
        )
        leaf = interceptor.issue_cert(*hosts, organization_name=INTERCEPTOR_ORGANIZATION)
    elif fault == "expired":
        # Signed by the trusted demo CA, so the only thing wrong is the date.
        leaf = ca.issue_cert(
            *hosts,
            not_before=now - dt.timedelta(days=400),
            not_after=now - dt.timedelta(days=3),
        )
    elif fault == "wrong-host":
        leaf = ca.issue_cert(WRONG_HOST, common_name=WRONG_HOST)
    else:
        leaf = ca.issue_cert(*hosts, common_name=hosts[0])

    chain_file = folder / "server-key-and-chain.pem"
    # Written into the private temporary folder (mode 0700) because ssl can only load a
    # key from a file; the folder is removed when the demo stops.
    leaf.private_key_and_cert_chain_pem.write_to_path(str(chain_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(chain_file))
    return DemoCertificates(cafile=cafile, server_context=context)
