"""Static figures (matplotlib, Agg) embedded as base64 PNG, and the self-contained HTML page."""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num,th.num{text-align:right}.warn{color:#a40000;font-weight:600}.ok{color:#1a7f37}
.muted{color:#666}.box{background:#f8f8f8;border-left:4px solid #4a78c2;padding:.5em 1em;margin:.8em 0}
img{max-width:100%;height:auto}code{background:#f2f2f2;padding:0 .2em}
"""


def png_base64(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def img(fig, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{png_base64(fig)}">'


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>\n{body}\n</body></html>\n")


def table(df, **kwargs) -> str:
    """A pandas DataFrame as an HTML table (escaped, no index unless asked)."""
    kwargs.setdefault("index", False)
    kwargs.setdefault("border", 0)
    return df.to_html(escape=True, na_rep="", float_format=lambda v: f"{v:.3g}", **kwargs)


def esc(text) -> str:
    return html.escape(str(text))
