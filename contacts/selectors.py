from __future__ import annotations

from dataclasses import dataclass, field

from contacts.models import Contact


@dataclass
class OrgNode:
    contact: Contact
    children: list[OrgNode] = field(default_factory=list)


def org_chart(*, contacts: list[Contact]) -> list[OrgNode]:
    """A customer's contacts as a forest by ``reports_to`` (no query: pass them all in).

    A contact whose boss is missing (deleted, or at another customer through old
    data) is drawn as a root, so nobody drops off the chart.
    """
    nodes = {c.pk: OrgNode(c) for c in contacts}
    roots: list[OrgNode] = []
    for c in contacts:
        parent = nodes.get(c.reports_to_id) if c.reports_to_id is not None else None
        if parent is not None and parent is not nodes[c.pk]:
            parent.children.append(nodes[c.pk])
        else:
            roots.append(nodes[c.pk])
    # A cycle in old data has no root: start one at its first member, and cut
    # every edge back into what is already drawn so the tree stays finite.
    reached: set[int] = set()

    def walk(start: OrgNode) -> None:
        reached.add(start.contact.pk)
        stack = [start]
        while stack:
            node = stack.pop()
            node.children = [ch for ch in node.children if ch.contact.pk not in reached]
            reached.update(ch.contact.pk for ch in node.children)
            stack.extend(node.children)

    for root in roots:
        walk(root)
    for pk, node in nodes.items():
        if pk not in reached:
            roots.append(node)
            walk(node)
    return roots
