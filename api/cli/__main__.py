"""`python -m api.cli` runs the `arsip` command line."""

from api.cli import main

main()
