"""One module per command, each a plain ``run(options) -> int`` (the exit code): the only place that composes
sources, decoding, the pipeline, providers and reporters. :mod:`scanner.cli` (click) and :mod:`scanner.entry`
(the hook's lean path) both parse the options declared in :mod:`scanner.options` and call these."""
