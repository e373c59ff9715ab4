"""How the generic attributes read in a terminal and in JSON (`attributes`)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..core.catalog import GenericAttribute, GenericAttributes
from . import Format, Options, Renderer
from .json import dumps
from .terminal import draw

KIND_LABEL = {"attribute": "Attribute", "business-skill": "Business skill"}


@dataclass(frozen=True)
class AttributesView:
    """The attributes asked for: all of them, or one (`code`), at every level or one (`level`)."""

    found: GenericAttributes
    code: str | None = None
    level: int | None = None


def _chosen(found: GenericAttributes, code: str | None) -> list[GenericAttribute]:
    return [found.attribute(code)] if code else list(found.attributes)


def render_text(view: AttributesView, options: Options) -> str:
    found, code, level = view.found, view.code, view.level

    def paint(console: Console) -> None:
        if code is None and level is None:
            _paint_list(console, found)
        else:
            for attribute in _chosen(found, code):
                _paint_attribute(console, attribute, level, full=code is not None)
        console.print(Text(found.attribution, "dim"))

    return draw(paint, color=options.color)


def _paint_list(console: Console, found: GenericAttributes) -> None:
    console.print(Text(f"SFIA {found.sfia_version} generic attributes", "bold"))
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("Code", "Name", "Kind", "Description"):
        table.add_column(column)
    for attribute in found.attributes:
        table.add_row(
            attribute.code, attribute.name, KIND_LABEL[attribute.kind], attribute.description
        )
    console.print(table)
    console.print()
    console.print("Show one: sfia-assess attributes CODE [--level N]")


def _paint_attribute(
    console: Console, attribute: GenericAttribute, level: int | None, *, full: bool
) -> None:
    console.print(Text(f"{attribute.name} ({attribute.code})", "bold"))
    if full:
        console.print(KIND_LABEL[attribute.kind])
        console.print()
        console.print(attribute.description)
        if level is None:
            console.print()
            console.print(Text("Guidance notes", "bold"))
            console.print(attribute.guidance_notes)
    for item in attribute.levels if level is None else (attribute.level(level),):
        console.print()
        console.print(Text(f"Level {item.level}", "bold"))
        console.print(item.description)
    console.print()


def render_json(view: AttributesView, options: Options) -> str:
    found, code, level = view.found, view.code, view.level
    data = {
        "sfia_version": found.sfia_version,
        "source": found.source,
        "attribution": found.attribution,
        "attributes": [
            {
                "code": a.code,
                "name": a.name,
                "kind": a.kind,
                "url": a.url,
                "description": a.description,
                "guidance_notes": a.guidance_notes,
                "levels": [
                    {"level": item.level, "description": item.description}
                    for item in (a.levels if level is None else (a.level(level),))
                ],
            }
            for a in _chosen(found, code)
        ],
    }
    return dumps(data)


RENDERERS: dict[Format, Renderer] = {Format.TEXT: render_text, Format.JSON: render_json}
