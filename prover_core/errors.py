"""Infrastructure failures. Expected outcomes (a tactic fails, a proof is rejected) are values."""


class LeanstepError(Exception):
    """Base of every infrastructure failure raised by leanstep."""


class InputError(LeanstepError):
    """Bad input from the user: the message says what is wrong, `where` where it came from
    (a file, an environment variable, a flag). Printed as one line: `what (where)`."""

    def __init__(self, what: str, where: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.where = where

    def __str__(self) -> str:
        return self.what if self.where is None else f"{self.what} ({self.where})"


class ConfigError(InputError):
    """A configuration file or override is invalid; the message names the key."""


class LeanError(LeanstepError):
    """The Lean REPL could not answer a request."""


class LeanCrashed(LeanError):
    """The REPL process died (or answered garbage) and the request could not be completed."""


class LeanTimeout(LeanError):
    """The request exceeded its time limit; the process was killed and restarted."""


class LeanProtocolError(LeanError):
    """The REPL answered something that is not a well-formed response."""


class StateLost(LeanError):
    """A held proof state could not be restored after a restart."""


class PolicyUnavailable(LeanstepError):
    """The policy model or server could not produce candidates."""
