"""`python -m essaycheck` runs the command line."""

from essaycheck.cli import main

main()
