"""One command's resolved state (:class:`Run`), shared by the pipeline, the providers and the commands.

A leaf: it names the config, rules and decoder only as types, so any stage may take a ``Run`` without
importing the pipeline that builds it (:func:`scanner.pipeline.prepare`)."""
from __future__ import annotations

import os
import time

from scanner.options import Options
from scanner.progress import Scope

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.config import Config
    from scanner.decoding.stage import Decoder
    from scanner.rules import RuleSet


class Run:
    """Everything a command needs, resolved once: config, rules, the decoder (decoding stage + engine),
    baseline, start time."""

    def __init__(self, options: Options, config: Config, ruleset: RuleSet, decoder: Decoder,
                 root: str | os.PathLike[str], accepted: set[tuple[str, str, str]] | None = None) -> None:
        self.options, self.config, self.ruleset, self.decoder, self.root = options, config, ruleset, decoder, root
        self.accepted = set() if accepted is None else accepted
        self.notices: list[str] = []  # for the operator: settings the reviewed commits change (see prepare)
        self.started = time.time()  # seconds since the epoch (datetime costs an import on the hook's path)
        self.scope = Scope()  # what the sources read, for the scope line of a text run

    @property
    def fail_on(self) -> str:
        return self.options.fail_on or self.config.fail_on or "any"
