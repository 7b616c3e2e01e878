"""The `wb` command line: a thin Typer app over the `workbench` library."""
