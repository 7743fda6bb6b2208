"""Providers: prove whether a found key is live (one request per distinct key), and revoke confirmed
leaks. Requests are described by the ``[provider.NAME]`` tables of the rule files.

The modules import downwards only, in this order: :mod:`~scanner.providers.http` (the one client that sends
a key), :mod:`~scanner.providers.policy` (where keys may go), :mod:`~scanner.providers.spec` (requests as
data), :mod:`~scanner.providers.leak` (findings grouped by key), :mod:`~scanner.providers.verify`,
:mod:`~scanner.providers.revoke`, and :mod:`~scanner.providers.orchestration` (both, for a run).
:mod:`~scanner.providers.manual` (the ``revoke`` command's key sources) sits on top. This package module
imports none of them, so importing one never imports the others."""
