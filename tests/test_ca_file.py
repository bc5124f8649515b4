"""A CA file is read through symbolic links, as Debian's /etc/ssl/certs/NAME.pem are.

``read_limited`` refuses devices and pipes, which never end; the check is on what a link
leads to, so a link to a regular file reads like the file, while a link to a pipe is still
refused. ``--cafile /etc/ssl/certs/NAME.pem`` must work end to end.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from tests.testbed import Testbed, TestCertificates
from wizard.cli import main
from wizard.core.errors import FileReadError, ReadProblem, TLSConfigError
from wizard.core.files import MAX_CA_BYTES, read_limited
from wizard.core.tls import make_tls_context


def _linked(folder: Path, target: Path, hops: int = 2) -> Path:
    """A chain of ``hops`` relative symbolic links ending at ``target``."""
    link = target
    for hop in range(hops):
        name = folder / f"link-{hop}.pem"
        name.symlink_to(os.path.relpath(link, folder))
        link = name
    return link


def test_a_link_to_a_regular_file_reads_like_the_file(
    tmp_path: Path, testbed_certificates: TestCertificates
) -> None:
    pem = testbed_certificates.cafile.read_bytes()
    link = _linked(tmp_path, testbed_certificates.cafile)
    assert link.is_symlink()
    assert read_limited(link, MAX_CA_BYTES, "CA file") == pem
    context = make_tls_context(str(link))
    assert any("Test" in str(ca.get("subject")) for ca in context.get_ca_certs())


def test_a_link_to_a_pipe_or_nowhere_is_still_refused(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(FileReadError) as caught:
        read_limited(_linked(tmp_path, pipe, hops=1), MAX_CA_BYTES, "CA file")
    assert caught.value.problem is ReadProblem.NOT_REGULAR
    dangling = tmp_path / "dangling.pem"
    dangling.symlink_to(tmp_path / "missing.pem")
    with pytest.raises(TLSConfigError, match="does not exist"):
        make_tls_context(str(dangling))


@pytest.mark.servers
def test_check_with_a_linked_cafile_verifies(
    testbed: Testbed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    testbed.require_postfix()
    folder = tmp_path / "certs"
    folder.mkdir()
    link = _linked(folder, Path(testbed.cafile))
    provider = testbed.default_provider_file(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(testbed.alice.password + "\n"))
    argv = ["check", "--email", testbed.alice.email, "--provider", str(provider)]
    code = main([*argv, "--cafile", str(link), "--password-stdin"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "Verified" in out
