"""The errors nnviz reports to users as one line, without a traceback."""


class NnvizError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits 1."""

    exit_code = 1


class UsageError(NnvizError):
    """Bad input on the command line or in the API call; exit code 2."""

    exit_code = 2


class LogError(NnvizError):
    """A file that is not a readable nnviz snapshot log (nnviz.log)."""


class CheckError(NnvizError):
    """A render that is not valid (nnviz.encode.check): `nnviz check` and `render --check`."""


class Interrupted(NnvizError):
    """Stopped by SIGINT (exit 130) or SIGTERM (exit 143)."""

    def __init__(self, signum: int):
        import signal
        super().__init__(f"interrupted by {signal.Signals(signum).name}; nothing was left behind")
        self.signum, self.exit_code = signum, 128 + signum

    def __reduce__(self):   # a worker process sends it to its parent
        return type(self), (self.signum,)
