"""Dependencies: every package the code imports is declared, and pymap still has what the demo uses.

The practice server (``wizard/demo/``) builds pymap's IMAP server from its lower-level public
classes, so pyproject.toml pins pymap to one release series. When that pin is raised on
purpose, the second test says exactly which internal moved, instead of the demo failing at
run time with an AttributeError deep inside a connection.
"""

from __future__ import annotations

import ast
import importlib.metadata
import inspect
import ssl
import sys
import tomllib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCAL_PACKAGES = {"wizard", "tests", "screenshots"}


def requirement_names(requirements: Iterable[str]) -> set[str]:
    """The distribution names in ``requirements`` ("textual>=8.2,<9" -> "textual")."""
    return {canonicalize_name(Requirement(requirement).name) for requirement in requirements}


def imported_packages(folder: Path) -> dict[str, str]:
    """Top-level third-party packages imported anywhere under ``folder`` -> one file that does."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL_PACKAGES:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def undeclared(folders: Iterable[str], declared: set[str]) -> list[str]:
    """Imports under ``folders`` whose distribution is not in ``declared``."""
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for folder in folders:
        for package, where in imported_packages(ROOT / folder).items():
            provided_by = {canonicalize_name(d) for d in distributions.get(package, [package])}
            if not provided_by & declared:
                missing.append(f"{package} (imported by {where}, from {sorted(provided_by)})")
    return missing


def test_every_package_the_wizard_imports_is_a_dependency() -> None:
    """A plain install has everything wizard/ imports, the demo's libraries included."""
    declared = requirement_names(PYPROJECT["project"]["dependencies"])
    missing = undeclared(["wizard"], declared)
    assert not missing, f"declare in [project] dependencies: {missing}"


def test_every_package_the_tests_import_is_declared() -> None:
    """The tests, benchmarks and screenshot script need only the package and its test extra."""
    project = PYPROJECT["project"]
    declared = requirement_names(
        [*project["dependencies"], *project["optional-dependencies"]["test"]]
    )
    missing = undeclared(["tests", "benchmarks", "screenshots"], declared)
    assert not missing, f"declare in the test extra: {missing}"


def test_pymap_still_has_the_internals_the_demo_uses() -> None:
    """The names and signatures wizard/demo relies on, checked one by one with a clear message."""
    from proxyprotocol.reader import ProxyProtocolReader
    from pymap.backend.dict import Config, Identity, Login
    from pymap.backend.dict.mailbox import MailboxData
    from pymap.config import IMAPConfig
    from pymap.context import connection_exit
    from pymap.imap import IMAPConnection, IMAPServer
    from pymap.imap.state import ConnectionState
    from pymap.parsing.message import AppendMessage
    from pymap.parsing.response import ResponseOk
    from pymap.user import Passwords, UserMetadata

    from wizard.demo.mailbox import DemoAccount, DemoMailbox, imap_config

    version = importlib.metadata.version("pymap")
    imap_module = "the demo's IMAP server (wizard/demo/mailbox.py)"
    mailbox_module = "the demo's mailbox (wizard/demo/mailbox.py)"

    def check(ok: bool, name: str, user: str) -> None:
        assert ok, f"pymap {version} moved {name}; {user} needs updating"

    def takes(function: Callable[..., object], *names: str) -> bool:
        parameters = inspect.signature(function).parameters
        return all(
            name in parameters and parameters[name].kind is not inspect.Parameter.VAR_KEYWORD
            for name in names
        )

    # wizard/demo/mailbox.py: the settings it passes must be real parameters, not swallowed
    # by **extra (a lost reject_dnsbl=False would make the demo query DNS blocklists).
    check(
        takes(Config.__init__, "args", "demo_data", "demo_user", "demo_password"),
        "Config(args, demo_data=, demo_user=, demo_password=)",
        mailbox_module,
    )
    settings = ("host", "port", "ssl_context", "tls_enabled", "hash_context", "cpu_subsystem")
    check(
        takes(IMAPConfig.__init__, *settings, "reject_dnsbl", "invalid_user_sleep"),
        "IMAPConfig's keyword arguments",
        mailbox_module,
    )
    account = DemoAccount("demo@example.test", "practice")
    config = imap_config(account, ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), starttls=True)
    check(
        config.reject_dnsbl is False and config.invalid_user_sleep == 0.1,
        "the IMAPConfig settings reject_dnsbl/invalid_user_sleep",
        mailbox_module,
    )
    mailbox = DemoMailbox(account, config)
    check(hasattr(mailbox.login, "demo_user_identity"), "Login.demo_user_identity", mailbox_module)
    check(
        takes(Identity.__init__, "name", "login", "token_id", "roles")
        and hasattr(Identity, "new_session"),
        "Identity(name, login, token_id, roles)",
        mailbox_module,
    )
    check(takes(Login.__init__, "config"), "Login(config)", mailbox_module)
    check(
        takes(MailboxData.append, "append_msg", "recent")
        and hasattr(MailboxData, "messages")
        and takes(MailboxData.delete, "uids"),
        "MailboxData.append/messages/delete",
        mailbox_module,
    )
    check(
        takes(AppendMessage.__init__, "literal", "when"),
        "AppendMessage(literal, when)",
        mailbox_module,
    )
    check(
        takes(Passwords.__init__, "config") and hasattr(Passwords, "hash_password"),
        "Passwords(config).hash_password",
        mailbox_module,
    )
    check(
        takes(UserMetadata.__init__, "config", "name", "password"),
        "UserMetadata(config, name, password=)",
        mailbox_module,
    )

    # wizard/demo/mailbox.py: pymap's server written out, and its connection state subclassed.
    server = IMAPServer(mailbox.login, config)
    check(hasattr(server, "commands"), "IMAPServer.commands", imap_module)
    check(
        takes(IMAPServer.__call__, "reader", "writer", "sock_info"),
        "IMAPServer.__call__(reader, writer, sock_info)",
        imap_module,
    )
    check(
        takes(IMAPConnection.__init__, "commands", "config", "reader", "writer", "sock_info")
        and takes(IMAPConnection.run, "state"),
        "IMAPConnection(commands, config, reader, writer, sock_info).run(state)",
        imap_module,
    )
    state = ConnectionState(mailbox.login, config)
    check(getattr(state, "config", None) is config, "ConnectionState.config", imap_module)
    check(hasattr(state, "capability"), "ConnectionState.capability", imap_module)
    check(
        inspect.iscoroutinefunction(ConnectionState.do_greeting),
        "ConnectionState.do_greeting (a coroutine the demo overrides)",
        imap_module,
    )
    check(
        takes(ResponseOk.__init__, "tag", "text", "code"),
        "ResponseOk(tag, text, code)",
        imap_module,
    )
    check(isinstance(connection_exit, ContextVar), "pymap.context.connection_exit", imap_module)
    check(
        hasattr(ProxyProtocolReader(config.proxy_protocol), "get_callback"),
        "IMAPConfig.proxy_protocol / ProxyProtocolReader.get_callback",
        imap_module,
    )
