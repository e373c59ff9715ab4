"""`diff` between two SFIA versions of a skill, as text, Markdown, JSON or HTML."""

from __future__ import annotations

import dataclasses

from ..core.crosswalk import DiffEntry, VersionDiff
from . import Format, Options, Renderer
from .json import dumps
from .templating import render_page

RELATION_WORDS = {
    "same": "unchanged",
    "reworded": "reworded",
    "moved": "moved",
    "split": "split",
    "merged": "merged",
    "new": "new",
    "removed": "removed",
}


def _line(entry: DiffEntry) -> str:
    old = ", ".join(entry.old) or "-"
    new = ", ".join(entry.new) or "-"
    return f"{old} -> {new} [{RELATION_WORDS[entry.relation]}]"


def render_text(d: VersionDiff, options: Options) -> str:
    out = [f"{d.name} ({d.code}): SFIA {d.from_version} -> SFIA {d.to_version}"]
    out.append("  " + ", ".join(f"{n} {RELATION_WORDS[k]}" for k, n in d.counts.items()))
    for level in d.old_levels:
        out += ["", level.summary]
        for entry in level.entries:
            out.append(f"  {_line(entry)}")
            out.append(f"      was: {entry.old_text[0]}")
            for text in entry.new_text:
                out.append(f"      now: {text}")
            if entry.note:
                out.append(f"      note: {entry.note}")
    if d.added:
        out += ["", f"New in SFIA {d.to_version} (no SFIA {d.from_version} counterpart):"]
        for entry in d.added:
            out.append(f"  {entry.new[0]}  {entry.new_text[0]}")
            if entry.note:
                out.append(f"      note: {entry.note}")
    return "\n".join(out) + "\n"


def render_markdown(d: VersionDiff, options: Options) -> str:
    out = [f"# {d.name} ({d.code}): SFIA {d.from_version} \u2192 SFIA {d.to_version}", ""]
    out += [", ".join(f"{n} {RELATION_WORDS[k]}" for k, n in d.counts.items()), ""]
    for level in d.old_levels:
        out += [f"## SFIA {d.from_version} level {level.level}", "", level.summary, ""]
        out += ["| was | now | change | note |", "|---|---|---|---|"]
        for entry in level.entries:
            was = f"**{entry.old[0]}** {entry.old_text[0]}"
            now = "<br>".join(
                f"**{i}** {t}" for i, t in zip(entry.new, entry.new_text, strict=True)
            )
            out.append(
                f"| {was} | {now or '-'} | {RELATION_WORDS[entry.relation]} |"
                f" {(entry.note or '').replace('|', '/')} |"
            )
        out.append("")
    if d.added:
        out += [f"## New in SFIA {d.to_version}", ""]
        out += [f"- **{e.new[0]}** {e.new_text[0]}" for e in d.added]
        out.append("")
    return "\n".join(out)


def render_json(d: VersionDiff, options: Options) -> str:
    return dumps(dataclasses.asdict(d))


def render_html(d: VersionDiff, options: Options) -> str:
    title = f"{d.name} ({d.code}): SFIA {d.from_version} to {d.to_version}"
    return render_page(
        "diff.html.j2",
        options,
        title=title,
        attribution=d.attribution,
        description=f"What changed in {d.name} between SFIA {d.from_version}"
        f" and SFIA {d.to_version}",
        diff=d,
        words=RELATION_WORDS,
        skill={"code": d.code, "name": d.name},
    )


RENDERERS: dict[Format, Renderer] = {
    Format.TEXT: render_text,
    Format.JSON: render_json,
    Format.MD: render_markdown,
    Format.HTML: render_html,
}
