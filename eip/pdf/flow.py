"""How a story flows over pages: a heading kept with the first part of what follows,
and a document that never ends on a near-empty page.

reportlab's own `KeepTogether` moves a heading and the whole of the block after it to the
next page, leaving a gap when the block is a long table; `KeepWithFirst` keeps the
heading with the block's first part (a table's header and first rows) and lets the rest
run on. `build_pdf` uses it for every paragraph whose style says `keepWithNext`.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
)
from reportlab.platypus.doctemplate import ActionFlowable, FrameBreak, NullActionFlowable
from reportlab.platypus.flowables import _listWrapOn

from eip.pdf.styles import SMALL

# A document's last page holds at least this much of the story (with the footer, more than
# a lone sign-off line or a stray paragraph), unless the whole document is one page.
LAST_PAGE_ROOM = 40 * mm
_SLACK = 2  # points: what the frame may lay out differently from this measure
# The ending is measured block by block, each with its space around it, which can fall
# short of what the frame lays out: an ending within this of the page's foot is treated
# as not fitting, rather than risk its last line going over alone.
_MARGIN = 12


def _list_size(
    flowables: Sequence[Flowable], width: float, canvas, dims: list | None = None
) -> tuple[float, float]:
    """reportlab's `_listWrapOn` (the width and height of flowables laid out one after
    another, their spaces merged) without its copy of the page's frame. It copies the frame
    (`deepcopy`) so that a flowable that adds content to the frame as it is measured does
    not add it twice; ours add none, and a group that carries a long table to the end of a
    statement is measured on every page it runs over: some 170 copies a document."""
    template = getattr(canvas, "_doctemplate", None)
    frame = getattr(template, "frame", None)
    if frame is None:
        return _listWrapOn(flowables, width, canvas, dims=dims)
    template.frame = None
    try:
        return _listWrapOn(flowables, width, canvas, dims=dims)
    finally:
        template.frame = frame


class _Group(KeepTogether):
    """reportlab's `KeepTogether`, measured by `_list_size`."""

    def wrap(self, aW, aH):
        # What KeepTogether.wrap does, through `_list_size`: the height it keeps for
        # `split`, and a height that asks the frame to split it, whatever its size.
        dims: list[tuple[float, float]] = []
        width, height = _list_size(self._content, aW, self.canv, dims)
        self._H = height
        self._H0 = dims[0][1] if dims else 0
        self._wrapInfo = aW, aH
        return width, 0xFFFFFF


class KeepWithFirst(_Group):
    """Headings and the block after them: all together when they fit, else the headings
    with the block's first part when that part fits, else all on the next page."""

    def split(self, aW, aH):
        *heads, block = self._content
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            # Nothing gained by a new page: the frame lays them out one by one.
            return [NullActionFlowable(), *self._content]
        _width, height = _list_size(self._content, aW, self.canv)
        if height <= aH:
            return [NullActionFlowable(), *self._content]
        if heads:
            _width, head_height = _list_size(heads, aW, self.canv)
            room = aH - head_height - max(heads[-1].getSpaceAfter(), block.getSpaceBefore())
            room -= _SLACK
            if room > 0 and not isinstance(block, ActionFlowable):
                block.canv = self.canv
                parts = block.split(aW, room) or []
                first = parts[0] if len(parts) > 1 else None
                fits = first is not None and not isinstance(first, (ActionFlowable, Spacer))
                if fits and first.wrap(aW, room)[1] <= room:
                    return [*heads, *parts]
        return [FrameBreak(), *self._content]


def keep_headings(story: Sequence[Flowable]) -> list[Flowable]:
    """Each run of headings (flowables whose style says `keepWithNext`) grouped with the
    block after it in a `KeepWithFirst`. reportlab does this itself, but not when the
    block is a `KeepTogether` (a chart and its caption), the block a heading most needs."""
    story, out, i = list(story), [], 0
    while i < len(story):
        if not story[i].getKeepWithNext():
            out.append(story[i])
            i += 1
            continue
        group = []
        while i < len(story) and (
            story[i].getKeepWithNext()
            or (group and (isinstance(story[i], CondPageBreak) or _lead_in(story[i])))
        ):
            if not isinstance(story[i], CondPageBreak):  # a heading under a heading
                story[i].__dict__["keepWithNext"] = 0  # grouped once, not again by reportlab
                group.append(story[i])
            i += 1
        if i < len(story):
            group.append(story[i])
            i += 1
        out.append(KeepWithFirst(group) if len(group) > 1 else group[0])
    return out


def _lead_in(flowable: Flowable) -> bool:
    """A short note in the small style straight under a heading ("The outcome of each case
    consultation held in the month…"): it belongs to the heading, and a heading with its
    note alone at a page's foot is as stranded as a heading alone."""
    return isinstance(flowable, Paragraph) and flowable.style is SMALL


def _trailing_space(flowable: Flowable) -> bool:
    return isinstance(flowable, (Spacer, CondPageBreak, PageBreak, ActionFlowable))


def _height(flowable: Flowable, canvas, width: float, height: float) -> float:
    if isinstance(flowable, KeepTogether):  # its own wrap asks to be split, whatever its size
        return _list_size(flowable._content, width, canvas)[1]
    return flowable.wrapOn(canvas, width, height)[1]


class KeepEnding(_Group):
    """The end of a story: when all but less than `LAST_PAGE_ROOM` of it fits on this
    page, less is laid out here, so the last page holds at least that much."""

    def split(self, aW, aH):
        content = list(self._content)
        total = sum(
            _height(f, self.canv, aW, aH) + f.getSpaceBefore() + f.getSpaceAfter() for f in content
        )
        if total <= aH - _MARGIN:
            return [NullActionFlowable(), *content]
        frame = getattr(self, "_frame", None)
        at_top = frame is not None and getattr(frame, "_atTop", False)
        room = aH
        if total - aH < LAST_PAGE_ROOM:  # this measure may be short by up to _MARGIN
            room = aH - (LAST_PAGE_ROOM - (total - aH))
        placed: list[Flowable] = []
        used = 0.0
        for index, flowable in enumerate(content):
            h = flowable.wrapOn(self.canv, aW, room - used)[1] + flowable.getSpaceBefore()
            if used + h <= room:
                placed.append(flowable)
                used += h + flowable.getSpaceAfter()
                continue
            flowable.canv = self.canv
            parts = flowable.split(aW, room - used) if room - used > _SLACK else []
            if len(parts) > 1 and not isinstance(parts[0], ActionFlowable):
                return [*placed, parts[0], KeepEnding([*parts[1:], *content[index + 1 :]])]
            if placed:
                return [*placed, KeepEnding(content[index:])]
            break
        if at_top:
            # Nothing better to do: the frame lays them out one by one.
            return [NullActionFlowable(), *content]
        return [FrameBreak(), KeepEnding(content)]


def settle_ending(story: Sequence[Flowable], width: float, frame_height: float) -> list:
    """The story without trailing spaces or page breaks that would open an empty page, and
    with its last blocks in a `KeepEnding`, so its last page is never near empty: the
    blocks that fill `LAST_PAGE_ROOM`, and the one before them (the end of a long table
    may be carried onto the last page with them)."""
    story = list(story)
    while story and _trailing_space(story[-1]):
        story.pop()
    scratch = Canvas(BytesIO())  # measuring only: some flowables need a canvas to wrap
    group: list[Flowable] = []
    height = 0.0
    while story and height < LAST_PAGE_ROOM and not isinstance(story[-1], ActionFlowable):
        height += _height(story[-1], scratch, width, frame_height)
        group.insert(0, story.pop())
    if story and not isinstance(story[-1], ActionFlowable):
        group.insert(0, story.pop())
    # A heading's conditional page break: `KeepEnding` decides where the end's page starts.
    group = [f for f in group if not isinstance(f, CondPageBreak)]
    if group:
        story.append(KeepEnding(group))
    return story
