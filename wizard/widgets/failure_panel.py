"""The diagnosis of failed attempts: what is wrong and how to fix it; the technical part on
request (the server's words, the status code, the certificate: the Details key)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from wizard.core.models import Attempt

DATE_FORMAT = "%Y-%m-%d %H:%M UTC"


def describe_attempt(attempt: Attempt, *, details: bool = True) -> Content:
    """An attempt as text for people: what went wrong and what to do (without ``details``
    only the title and the advice: what a user acts on)."""
    where = f"{attempt.endpoint.label}, {attempt.endpoint.host}"
    parts: list[Content | str] = []
    if details or attempt.ok:
        parts.append(Content.from_markup("[b]$where[/b]\n", where=where))
    if attempt.ok:
        parts.append(
            "Logged in." if attempt.login_tested else "Reached securely (login tested elsewhere)."
        )
        return Content.assemble(*parts)
    title = attempt.title or attempt.status.value
    parts.append(Content.from_markup("[b $text-error]$title[/]\n", title=title))
    if attempt.advice:
        parts.append(Content(attempt.advice + ("\n" if details else "")))
    if not details:
        return Content.assemble(*parts)
    for label, text in (("Seen", attempt.detail), ("Server said", attempt.server_reply)):
        if text:
            parts.append(Content.from_markup("[dim]$label:[/dim] $text\n", label=label, text=text))
    certificate = attempt.certificate
    if certificate is not None:
        parts.append(
            Content.from_markup(
                "[b]Certificate[/b]\n  subject: $subject\n  issuer:  $issuer\n"
                "  valid:   $start to $end\n",
                subject=certificate.subject,
                issuer=certificate.issuer,
                start=certificate.not_before.strftime(DATE_FORMAT),
                end=certificate.not_after.strftime(DATE_FORMAT),
            )
        )
    parts.append(Content.from_markup("[dim]Code: $code[/dim]", code=attempt.status.value))
    return Content.assemble(*parts)


class FailurePanel(Vertical):
    """Shows one or more diagnoses; hidden while there is nothing to show. Grown to its text:
    the screen's panel scrolls (a scroller here would be a second scrollbar and a Tab stop)."""

    DEFAULT_CSS = """
    FailurePanel {
        height: auto;
        border: round $error;
        border-title-color: $text-error;
        padding: 0 1;
        display: none;
        &.-shown { display: block; }
        &.-ok { border: round $success; border-title-color: $text-success; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Static("", classes="failure-text"), id=id)
        self.border_title = "What went wrong"
        self.attempts: tuple[Attempt, ...] = ()
        #: Also the server's words, the status code and the certificate.
        self.details = True

    def show(self, *attempts: Attempt, details: bool | None = None) -> None:
        """Show these attempts (none hides the panel); ``details`` as last time if None."""
        if details is not None:
            self.details = details
        self.attempts = attempts
        self.set_class(bool(attempts), "-shown")
        failed = any(not attempt.ok for attempt in attempts)
        self.set_class(not failed, "-ok")
        self.border_title = "What went wrong" if failed else "Details"
        text = Content("\n\n").join(
            describe_attempt(attempt, details=self.details) for attempt in attempts
        )
        self.query_one(".failure-text", Static).update(text)
