"""Errors that reach the user. Each message names the problem and, where there is one, the fix.

The CLI turns any BrainbenchError into a one-paragraph message and a non-zero exit status; anything
else is a bug and keeps its traceback.
"""


class BrainbenchError(Exception):
    """Base class: a problem with the user's input or environment, not a bug."""

    exit_code = 2


class UnknownNameError(BrainbenchError, KeyError):
    """A model, benchmark, dataset or metric name that is not registered."""

    def __init__(self, kind: str, name: str, known: list[str]):
        import difflib

        close = difflib.get_close_matches(name, known, n=3, cutoff=0.4)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        listing = ", ".join(sorted(known)) if len(known) <= 30 else f"{len(known)} names; see `brainbench list`"
        super().__init__(f"unknown {kind} {name!r}.{hint} Known {kind}s: {listing}.")
        self.kind, self.name, self.known = kind, name, known

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return self.args[0]


class DataNotFoundError(BrainbenchError):
    """Recording or stimulus files are missing, truncated or corrupt."""


class WeightsUnavailableError(BrainbenchError):
    """Pretrained weights are neither cached nor downloadable; never replaced by random weights."""


class WeightsChecksumError(WeightsUnavailableError):
    """A weights file whose sha256 is not the pinned one; refused before anything in it is read."""


class UnsafeWeightsError(WeightsUnavailableError):
    """A weights file whose pickle asks for code or types outside the allow-list; refused, never executed."""


class StimulusError(BrainbenchError):
    """A stimulus file cannot be decoded or has the wrong form."""


class PluginError(BrainbenchError):
    """A plugin failed to import, or its card or layers are malformed."""


class ResourceError(BrainbenchError):
    """A run would exceed the memory bound it was given."""


class CacheError(BrainbenchError):
    """The cache cannot be used: not a folder, not writable, or its disk is full."""


class OutputError(BrainbenchError):
    """Results cannot be written where the user asked (``--out``)."""


class DataModifiedError(DataNotFoundError):
    """A data file differs from its pinned sha256 (edited, replaced or damaged)."""


class CellTimeout(BrainbenchError):
    """One model x dataset cell ran past its ``--timeout``."""


#: errors that every cell of a run would hit alike (the environment, not the model): they stop the run
STOPS_RUN = (DataNotFoundError, CacheError, OutputError)


#: what plugin code (import, build, forward, a metric's hooks) may raise that is recorded as that
#: plugin's failure: an exception, or a call to sys.exit, which must never end the whole run
#: (os._exit cannot be caught: it ends the process; `brainbench check` runs plugins in a subprocess)
PLUGIN_FAILURES = (Exception, SystemExit)


def plugin_exit_reason(exc: SystemExit) -> str:
    """What a plugin's sys.exit means, in the words every report of it uses."""
    return f"the plugin called sys.exit({exc.code!r}) (SystemExit); a plugin reports a problem by raising an exception"
