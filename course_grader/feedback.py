"""The feedback page a learner opens offline: math, tables, and written answers not yet graded.

nbgrader's feedback HTML leaves math as raw LaTeX for MathJax, which it loads from a CDN: a
learner reading the page offline (the usual case: it is a file on their machine) sees `$t$`.
Here, at generation time:

* :func:`markdown2html_mathml` (installed as nbconvert's ``markdown2html`` filter) renders
  Markdown as nbconvert does, then turns every ``$...$`` and ``$$...$$`` outside code into
  MathML with latex2mathml (pure Python, pinned). Browsers render MathML natively; LaTeX that
  latex2mathml cannot parse is left as it was. Prices such as "$5 and $10" are not math
  (pandoc's rule: no space inside the dollars, no digit right after the closing one).
* :class:`FeedbackPolish` (a preprocessor after nbgrader's GetGrades) cuts a failed test
  cell's traceback down to its message (a traceback quotes the cell's source lines, so it
  would show the hidden tests that ClearHiddenTests removed from the source), marks each written
  answer that still needs the instructor's grade, so the course's template shows "awaiting your
  instructor" instead of "Score: 0.0 / 3.0", and adds CSS: tables with borders, readable
  MathML. The template is ``course_grader/templates/course_feedback`` (it extends nbgrader's).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "course_feedback"

AWAITING = "awaiting your instructor"

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$\w])\$(?=[^\s$])([^$\n]+?)(?<=[^\s\\$])\$(?![\d$])")
_RAW = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>|<script\b.*?</script>|<style\b.*?</style>)", re.S | re.I)

CSS = """
/* course feedback: tables with borders, MathML readable without MathJax */
.rendered_html table, div.output_html table { border-collapse: collapse; margin: 0.6em 0; }
.rendered_html th, .rendered_html td, div.output_html th, div.output_html td {
  border: 1px solid #888; padding: 0.25em 0.6em;
}
.rendered_html th, div.output_html th { background: #f0f0f0; }
math { font-size: 1.1em; }
math[display="block"] { display: block; margin: 0.6em 0; }
span.awaiting-instructor { color: #8a6d3b; font-style: italic; }
"""


def latex_to_mathml(latex: str, display: bool) -> str | None:
    from latex2mathml.converter import convert

    try:
        return convert(latex.strip(), display="block" if display else "inline")
    except Exception:  # LaTeX latex2mathml does not know: keep the source
        return None


def math_to_mathml(text: str) -> str:
    """Replace $$..$$ and $..$ in HTML text (outside pre/code/script/style) with MathML."""

    def convert(match, display):
        latex = html.unescape(match.group(1))
        mathml = latex_to_mathml(latex, display)
        return mathml if mathml is not None else match.group(0)

    parts = _RAW.split(text)
    for i in range(0, len(parts), 2):  # even indexes are outside the raw blocks
        part = _DISPLAY.sub(lambda m: convert(m, True), parts[i])
        parts[i] = _INLINE.sub(lambda m: convert(m, False), part)
    return "".join(parts)


def markdown2html_mathml(source: str, *args, **kwargs) -> str:
    """nbconvert's markdown2html, then math as MathML (works offline, no MathJax)."""
    from nbconvert.filters.markdown import markdown2html_mistune

    return math_to_mathml(markdown2html_mistune(source, *args, **kwargs))


_EXAM_KEY = re.compile(r"^(q\d+: (?:right|wrong \(you answered [^)]*\)))\. The answer is [A-Za-z]\b.*$", re.M)


def withhold_exam_key(text: str) -> str:
    """``q1: wrong (you answered B). The answer is C: ...`` -> ``q1: wrong (you answered B).``"""
    return _EXAM_KEY.sub(r"\1. (The key is withheld: these questions are reused.)", text)


class FeedbackPolish(Preprocessor):
    """After GetGrades: flag written answers awaiting a grade; add the course's CSS."""

    enabled = Bool(True)
    show_exam_key = Bool(True, help=(
        "Show the exam-lens key in the feedback: each question's right letter and why it is right "
        "(the teaching part of the exam lens). An instructor who reuses the questions next term "
        "sets it to False: the feedback then says only right or wrong per question.")).tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook, MissingEntry

        nbg = resources.get("nbgrader", {})
        awaiting = 0
        db_url = nbg.get("db_url")
        if db_url:
            with Gradebook(db_url) as gb:
                for cell in nb.cells:
                    meta = cell.get("metadata", {}).get("nbgrader", {})
                    if not (meta.get("grade") and meta.get("solution")):
                        continue
                    try:
                        grade = gb.find_grade(meta["grade_id"], nbg["notebook"], nbg["assignment"], nbg["student"])
                    except MissingEntry:
                        continue
                    if grade.needs_manual_grade and grade.manual_score is None:
                        meta["awaiting_instructor"] = True
                        awaiting += 1
        resources.setdefault("course", {})["awaiting"] = awaiting
        # the grader's rubric cells (preprocessors.RubricForGrader) are not for the learner
        from .preprocessors import RUBRIC_CELL

        nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get(RUBRIC_CELL)]
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                for out in cell.get("outputs", []):
                    if out.get("output_type") == "stream" and not self.show_exam_key:
                        out["text"] = withhold_exam_key(out.get("text", ""))
                    if out.get("output_type") == "error":
                        # a traceback quotes the test cell's source lines, hidden tests included
                        out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        inlining = resources.setdefault("inlining", {})
        inlining.setdefault("css", []).append(CSS)
        return nb, resources


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)", re.I)
_FOCUSABLE = re.compile(r'(<div\b[^>]*\bclass="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")(?![^>]*\btabindex=)')
NO_ALT_TEXT = "No description has been provided for this image"


def accessible(page: str) -> str:
    """What nbconvert's HTMLExporter adds after rendering, without re-parsing the whole page
    with BeautifulSoup (half a second per feedback page): alternative text on images that have
    none, and keyboard focus on each cell's input and output."""
    page = _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_ALT_TEXT}"', page)
    return _FOCUSABLE.sub(r'\1 tabindex="0"', page)


class CourseFeedbackExporter(HTMLExporter):
    """nbgrader's feedback HTML exporter, for GenerateFeedback only.

    Configured by its own class name, so formgrader's HTMLExporter (which renders submissions
    for grading with its own template) is left alone. It renders as HTMLExporter does and then
    applies :func:`accessible` instead of HTMLExporter's BeautifulSoup pass.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return accessible(page), resources


def warm_up() -> None:
    """Import and compile, ahead of time, what rendering a feedback page needs the first time
    (Markdown, math, code highlighting): ``course grade`` runs this in a thread while the
    notebook executes, so the feedback step after it does not pay for it."""
    from nbconvert.filters.highlight import Highlight2HTML

    markdown2html_mathml("# T\n\n*a* **b** `c` $x^2$ [l](http://x)\n\n| a |\n|---|\n| 1 |\n\n```python\nx = 1\n```\n")
    Highlight2HTML(pygments_lexer="ipython3")("import numpy as np\nx = np.ones(3)  # c\n")


def apply_feedback_settings(c) -> None:
    """Configure GenerateFeedback's HTML exporter for the course's feedback page."""
    import nbgrader

    nbgrader_templates = Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader" / "templates"
    c.GenerateFeedback.exporter_class = CourseFeedbackExporter
    c.CourseFeedbackExporter.template_name = TEMPLATE_NAME
    # its own file name, so that its `extends 'index.html.j2'` finds nbgrader's feedback page
    c.CourseFeedbackExporter.template_file = TEMPLATE_NAME + ".html.j2"
    c.CourseFeedbackExporter.extra_template_basedirs = [str(TEMPLATES), str(nbgrader_templates)]
    c.CourseFeedbackExporter.filters = {"markdown2html": markdown2html_mathml}
