"""The HTML page: plain tables and <img> elements, no scripts, no external resources."""
import html


def esc(value):
    return html.escape(str(value))


def number(value, digits=4):
    if isinstance(value, bool) or value is None:
        return esc(value)
    if isinstance(value, (int, float)):
        return f"{value:.{digits}g}" if isinstance(value, float) else f"{value:,}"
    return esc(value)


def table(header, rows, highlight=None):
    out = ["<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"]
    for i, row in enumerate(rows):
        cls = ' class="selected"' if highlight is not None and highlight(i) else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def figure(src, alt, caption=None):
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{esc(src)}" alt="{esc(alt)}">{cap}</figure>'


STYLE = """
body { font-family: sans-serif; margin: 1.5em; max-width: 1500px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; margin-top: 1.6em; }
.grid { display: flex; flex-wrap: wrap; gap: 0.5em; }
.grid figure { margin: 0; width: 360px; } .grid img { width: 360px; }
figure img { max-width: 100%; } figcaption { font-size: 0.85em; color: #555; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
th { background: #eee; } tr.selected { background: #fff3b0; font-weight: bold; }
.note { color: #555; font-size: 0.9em; }
"""


def document(title, sections):
    body = "\n".join(f'<section id="{esc(anchor)}"><h2>{esc(heading)}</h2>\n{content}\n</section>'
                     for anchor, heading, content in sections)
    links = " · ".join(f'<a href="#{esc(a)}">{esc(h)}</a>' for a, h, _ in sections)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head>\n<body>\n<h1>{esc(title)}</h1>\n<nav>{links}</nav>\n{body}\n</body></html>\n")
