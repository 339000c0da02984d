"""Plain-text tables for the command line: one formatter for every command."""
from __future__ import annotations


def format_table(rows: list[tuple], rule: bool = True) -> str:
    """Left-aligned columns two spaces apart; with ``rule``, a line of dashes under the first row."""
    cells = [[str(c) for c in row] for row in rows]
    if not cells:
        return ""
    widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(max(len(r) for r in cells))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    if rule and len(lines) > 1:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
