"""One error family. Each error carries a message for a person and, where we know it, the fix.

The CLI prints `message` and `fix` and exits with `exit_code`; the UI shows them in the page.
Exit 2 is for input the person can correct (an argument, a file, a setting); a provider or store
that is down, or data on disk that is damaged, is a failure of its own (exit 1), not bad input.
"""

from __future__ import annotations


class UpwardError(Exception):
    """Base class: a failure a person can read about and, ideally, act on."""

    exit_code = 1

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\nFix: {self.fix}" if self.fix else self.message


class BadInput(UpwardError):
    """The person's input or configuration is wrong; exit code 2."""

    exit_code = 2


class ConfigError(BadInput):
    """A setting, model id or credential is missing or wrong."""


class UnknownModel(ConfigError):
    """The model id names no provider we can reach."""


class MissingModelFiles(ConfigError):
    """A package that ships model files is not installed."""


class ProviderUnavailable(UpwardError):
    """The model provider could not be reached, timed out, failed mid-answer or answered nonsense.

    Retryable: `partial` is the text that streamed before the failure, if any.
    """

    def __init__(self, message: str, fix: str | None = None, partial: str = "") -> None:
        super().__init__(message, fix)
        self.partial = partial


class StructuredOutputError(UpwardError):
    """The model did not produce output that validates, after the bounded re-asks."""

    def __init__(self, message: str, last_output: str, fix: str | None = None) -> None:
        super().__init__(message, fix)
        self.last_output = last_output


class StoreUnavailable(UpwardError):
    """The vector store (e.g. a Chroma server) could not be reached."""


class DataCorrupt(UpwardError):
    """A file in the data directory (history database, search index) is damaged or not ours."""
