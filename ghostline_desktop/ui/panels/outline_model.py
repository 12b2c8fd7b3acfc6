"""The outline as the panel edits it: an immutable tree of parts → chapters → scenes.

Why immutable nodes with ids: every edit makes a new tree, so an undo step is just the
tree before and after (no inverse operations to get wrong), and a node keeps its id across
edits and undo, so the tree view can keep what was expanded and selected.

The stored shape is ``core.outline_tree``'s: ``{"parts": [{"title", "chapters": [{"title",
"scenes": [str, …]}]}]}``. A one-line summary is kept where the shape has room for it
without changing it: ``"summary"`` on a part or a chapter, and ``"scene_summaries"`` on a
chapter (a list beside ``scenes``, "" where a scene has none). Every other key a node
carries (``chapter_id`` from an approval, keys later features add) is kept as it was.
Pure Python, no Qt.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

PART, CHAPTER, SCENE = "part", "chapter", "scene"
CHILD_KIND = {PART: CHAPTER, CHAPTER: SCENE}
PARENT_KIND = {CHAPTER: PART, SCENE: CHAPTER}
_MANAGED = {"title", "chapters", "scenes", "summary", "scene_summaries"}
_ids = itertools.count(1)


@dataclass(frozen=True)
class Node:
    kind: str
    title: str
    summary: str = ""
    children: tuple[Node, ...] = ()
    extra: tuple[tuple[str, Any], ...] = ()  # keys we do not edit, kept as they were
    uid: int = field(default_factory=lambda: next(_ids))

    @property
    def chapter_id(self) -> str | None:
        value = dict(self.extra).get("chapter_id")
        return str(value) if value else None


Tree = tuple[Node, ...]  # the parts


def new_node(kind: str, title: str, *, summary: str = "", extra: dict[str, Any] | None = None) -> Node:
    return Node(kind, title, summary, (), tuple((extra or {}).items()))


# -- the stored structure ------------------------------------------------------------------------------


def from_structure(structure: dict[str, Any] | None) -> Tree:
    parts = []
    for part in (structure or {}).get("parts") or []:
        chapters = []
        for ch in part.get("chapters") or []:
            summaries = list(ch.get("scene_summaries") or [])
            scenes = tuple(
                Node(SCENE, str(scene), str(summaries[i]) if i < len(summaries) and summaries[i] else "")
                for i, scene in enumerate(ch.get("scenes") or [])
            )
            extra = tuple((k, v) for k, v in ch.items() if k not in _MANAGED)
            chapters.append(Node(CHAPTER, str(ch.get("title") or ""), str(ch.get("summary") or ""), scenes, extra))
        extra = tuple((k, v) for k, v in part.items() if k not in _MANAGED)
        parts.append(Node(PART, str(part.get("title") or ""), str(part.get("summary") or ""), tuple(chapters), extra))
    return tuple(parts)


def to_structure(tree: Tree, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The structure to save; top-level keys of ``base`` other than ``parts`` are kept."""
    out: dict[str, Any] = {k: v for k, v in (base or {}).items() if k != "parts"}
    parts = []
    for part in tree:
        chapters = []
        for ch in part.children:
            node: dict[str, Any] = dict(ch.extra)
            node["title"] = ch.title
            if ch.summary:
                node["summary"] = ch.summary
            node["scenes"] = [s.title for s in ch.children]
            if any(s.summary for s in ch.children):
                node["scene_summaries"] = [s.summary for s in ch.children]
            chapters.append(node)
        p: dict[str, Any] = dict(part.extra)
        p["title"] = part.title
        if part.summary:
            p["summary"] = part.summary
        p["chapters"] = chapters
        parts.append(p)
    out["parts"] = parts
    return out


# -- finding nodes ---------------------------------------------------------------------------------------


def walk(tree: Tree) -> Iterator[tuple[Node, tuple[int, ...]]]:
    """Every node with its path (indices from the top), in reading order."""
    for i, part in enumerate(tree):
        yield part, (i,)
        for j, ch in enumerate(part.children):
            yield ch, (i, j)
            for k, scene in enumerate(ch.children):
                yield scene, (i, j, k)


def path_of(tree: Tree, uid: int) -> tuple[int, ...] | None:
    return next((path for node, path in walk(tree) if node.uid == uid), None)


def node_at(tree: Tree, path: tuple[int, ...]) -> Node:
    nodes: tuple[Node, ...] = tree
    node: Node | None = None
    for i in path:
        node = nodes[i]
        nodes = node.children
    assert node is not None
    return node


def find(tree: Tree, uid: int) -> Node | None:
    return next((node for node, _p in walk(tree) if node.uid == uid), None)


def parent_uid(tree: Tree, uid: int) -> int | None:
    path = path_of(tree, uid)
    if path is None or len(path) == 1:
        return None
    return node_at(tree, path[:-1]).uid


def chapter_number(tree: Tree, uid: int) -> int | None:
    """1-based number of a chapter across the whole book."""
    n = 0
    for node, _path in walk(tree):
        if node.kind == CHAPTER:
            n += 1
            if node.uid == uid:
                return n
    return None


# -- edits (each returns a new tree) -------------------------------------------------------------------


def _children(tree: Tree, parent: int | None) -> tuple[Node, ...]:
    if parent is None:
        return tree
    node = find(tree, parent)
    if node is None:
        raise KeyError(parent)
    return node.children


def _with_children(tree: Tree, parent: int | None, children: tuple[Node, ...]) -> Tree:
    if parent is None:
        return children

    def rebuild(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        out = []
        for n in nodes:
            if n.uid == parent:
                out.append(replace(n, children=children))
            elif n.children:
                out.append(replace(n, children=rebuild(n.children)))
            else:
                out.append(n)
        return tuple(out)

    return rebuild(tree)


def insert(tree: Tree, parent: int | None, index: int, node: Node) -> Tree:
    kids = list(_children(tree, parent))
    expected = PART if parent is None else CHILD_KIND.get(_kind(tree, parent))
    if node.kind != expected:
        raise ValueError(f"a {node.kind} cannot go there")
    kids.insert(max(0, min(index, len(kids))), node)
    return _with_children(tree, parent, tuple(kids))


def _kind(tree: Tree, uid: int) -> str:
    node = find(tree, uid)
    if node is None:
        raise KeyError(uid)
    return node.kind


def remove(tree: Tree, uid: int) -> Tree:
    parent = parent_uid(tree, uid)
    kids = tuple(n for n in _children(tree, parent) if n.uid != uid)
    return _with_children(tree, parent, kids)


def update(tree: Tree, uid: int, **changes: Any) -> Tree:
    parent = parent_uid(tree, uid)
    kids = tuple(replace(n, **changes) if n.uid == uid else n for n in _children(tree, parent))
    return _with_children(tree, parent, kids)


def move(tree: Tree, uid: int, new_parent: int | None, index: int) -> Tree:
    """Move a node under ``new_parent`` (None: the top, for parts) at ``index``, where
    ``index`` counts the new parent's children *before* the node is taken out."""
    node = find(tree, uid)
    if node is None:
        raise KeyError(uid)
    old_parent = parent_uid(tree, uid)
    if old_parent == new_parent:
        old_index = [n.uid for n in _children(tree, old_parent)].index(uid)
        if index > old_index:
            index -= 1
    return insert(remove(tree, uid), new_parent, index, node)


def shifted(tree: Tree, uid: int, step: int) -> tuple[int | None, int] | None:
    """Where Ctrl+Up/Down takes a node: one place up or down among its siblings, or at the
    end of the previous parent / the start of the next one at an edge. None: nowhere to go."""
    path = path_of(tree, uid)
    if path is None:
        return None
    parent = parent_uid(tree, uid)
    siblings = _children(tree, parent)
    i = path[-1]
    target = i + step
    if 0 <= target < len(siblings):
        # In move()'s terms: index counted before taking the node out.
        return parent, target + (1 if step > 0 else 0)
    if parent is None:
        return None
    # Across to the neighbouring parent of the same kind (chapter → previous/next part).
    cousins = [n for n, _p in walk(tree) if n.kind == PARENT_KIND[node_at(tree, path).kind]]
    k = [n.uid for n in cousins].index(parent) + step
    if not 0 <= k < len(cousins):
        return None
    other = cousins[k]
    return other.uid, (len(other.children) if step < 0 else 0)


def uids(tree: Tree) -> set[int]:
    return {node.uid for node, _p in walk(tree)}


def chapter_ids(tree: Tree) -> set[str]:
    return {cid for node, _p in walk(tree) if node.kind == CHAPTER and (cid := node.chapter_id)}
