"""Things that happened which people may want to hear about (a form handed in for signature, a gate
passed over, someone put on a project team): the app that makes them happen emits them, inside the
transaction that made them; a later app (notifications) listens, registered in its ``ready()``.

Events and what they carry:

- ``form_submitted``: ``form`` (the paper form, as handed in), ``by``
- ``form_decided``: ``form``, ``signoff`` (the step signed or the return, with its advice), ``by``
- ``gate_overridden``: ``project``, ``change`` (the StageChange with its reason), ``by``
- ``project_member_added``: ``member`` (the ProjectMember), ``by``
- ``anomalies_raised``: ``anomalies`` (rows just found, or found again after they had cleared)
"""

from collections.abc import Callable

from core.registry import Registry

# (event, **payload) -> None, called inside the transaction: a listener records what it will do and
# leaves the sending to after the commit, so nothing it does can undo or slow the change.
event_listeners: Registry[Callable[..., None]] = Registry("core.events")


def emit(event: str, **payload) -> None:
    for listener in event_listeners:
        listener(event, **payload)
