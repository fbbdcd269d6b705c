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
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer
from reportlab.platypus.doctemplate import ActionFlowable, FrameBreak
from reportlab.platypus.flowables import _listWrapOn

# A document's last page holds at least this much of the story (with the footer, more than
# a lone sign-off line or a stray paragraph), unless the whole document is one page.
LAST_PAGE_ROOM = 40 * mm
_SLACK = 2  # points: what the frame may lay out differently from this measure


class KeepWithFirst(KeepTogether):
    """Headings and the block after them: all together when they fit, else the headings
    with the block's first part when that part fits, else all on the next page."""

    def split(self, aW, aH):
        *heads, block = self._content
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return list(self._content)  # nothing gained by a new page: lay them out
        _width, height = _listWrapOn(self._content, aW, self.canv)
        if height <= aH:
            return list(self._content)
        if heads:
            _width, head_height = _listWrapOn(heads, aW, self.canv)
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
            story[i].getKeepWithNext() or (group and isinstance(story[i], CondPageBreak))
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


def _trailing_space(flowable: Flowable) -> bool:
    return isinstance(flowable, (Spacer, CondPageBreak, PageBreak, ActionFlowable))


def settle_ending(story: Sequence[Flowable], width: float, frame_height: float) -> list:
    """The story with its last blocks kept together until they fill `LAST_PAGE_ROOM`, so
    a page break before the end carries some of the story with it, and without trailing
    spaces or page breaks that would open an empty page. A block taller than half a page
    (a long table) ends the group: keeping it whole would leave a gap instead."""
    story = list(story)
    while story and _trailing_space(story[-1]):
        story.pop()
    group: list[Flowable] = []
    height = 0.0
    scratch = Canvas(BytesIO())  # measuring only: some flowables need a canvas to wrap
    while story and height < LAST_PAGE_ROOM:
        last = story[-1]
        _w, h = last.wrapOn(scratch, width, frame_height)
        if h > frame_height / 2 or isinstance(last, ActionFlowable):
            break
        group.insert(0, story.pop())
        height += h
    if len(group) > 1:
        story.append(KeepTogether(group))
    else:
        story += group
    return story
