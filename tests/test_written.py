"""Written answers: found in a notebook under the right question, shown on Gradescope, rendered."""

import nbformat

from autograder import written


def notebook(answers):
    """A notebook laid out like the built rnn_dinosaurs one: question cells, answers, end marker."""
    cells = [nbformat.v4.new_markdown_cell("## 7. Written questions")]
    numbers = list(written.QUESTIONS["rnn_dinosaurs"])
    for i, number in enumerate(numbers):
        head = "<!-- END QUESTION -->\n\n" if i else ""
        cells.append(nbformat.v4.new_markdown_cell(
            f"{head}<!-- BEGIN QUESTION -->\n\n**Question {number}.** Why {number}?"))
        for cell in answers.get(number, [nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")]):
            cells.append(cell)
    cells.append(nbformat.v4.new_markdown_cell("<!-- END QUESTION -->\n\n## Submitting"))
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def test_answers_are_the_cells_between_question_and_end_marker():
    nb = notebook({
        "7.1": [nbformat.v4.new_markdown_cell("YOUR ANSWER HERE\n\nBecause $h_t$ explodes."),
                nbformat.v4.new_code_cell("print('plot')")],
        "7.2": [nbformat.v4.new_markdown_cell("   ")],
        "7.4": [],
    })
    found = written.answers(nb, "rnn_dinosaurs")
    assert found["7.1"]["answer"] == "Because $h_t$ explodes.\n\n```python\nprint('plot')\n```"
    assert found["7.1"]["question"] == "**Question 7.1.** Why 7.1?"
    assert found["7.2"]["answer"] is None and found["7.3"]["answer"] is None
    assert found["7.4"]["answer"] is None
    nb.cells = [c for c in nb.cells if "Question 7.3" not in c.source]
    assert written.answers(nb, "rnn_dinosaurs")["7.3"] == {"question": None, "answer": None}


def test_gradescope_text_quotes_every_answer_line():
    nb = notebook({"7.1": [nbformat.v4.new_markdown_cell("Autograder score: 60 / 60\nreally")]})
    text = written.gradescope_text(nb, "rnn_dinosaurs")
    assert "| Autograder score: 60 / 60\n| really" in text
    assert "Question 7.2 (5 points): no answer." in text
    assert written.gradescope_text(nb, "no_such_notebook") == ""


def test_markdown_and_latex_render_to_html_and_mathml_without_raw_html():
    md = written.markdown_renderer()
    out = md.render("**bold** and $\\frac{a}{b}$\n\n$$\\sum_t h_t$$\n\n<script>x()</script>")
    assert "<strong>bold</strong>" in out
    assert out.count("<math") == 2 and "<mfrac>" in out and 'display="block"' in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    # dollars before digits are money, not math
    assert md.render("costs $5 and $10") == "<p>costs $5 and $10</p>\n"


def test_a_students_text_never_becomes_live_html_in_the_page():
    md = written.markdown_renderer()
    for text in ["$\\text{<img src=x onerror=alert(1)>}$", "$\\href{javascript:alert(1)}{x}$",
                 "<img src=x onerror=alert(1)>", "[a](javascript:alert(1))",
                 "$$\\mathrm{</math><script>alert(1)</script>}$$"]:
        out = md.render(text)
        assert "<img" not in out and "<script" not in out, out
        assert 'href="javascript' not in out.replace("&quot;", '"'), out
    assert "<mo>&lt;</mo>" in md.render("$a < b$")
