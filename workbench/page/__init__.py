"""The self-contained graph page: layout, rendering of statements and proofs, and the HTML document."""

from workbench.page.html import render_page
from workbench.page.statement import render_statement

__all__ = ["render_page", "render_statement"]
