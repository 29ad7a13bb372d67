"""`python -m compiler` runs the `apispec` command line."""

from compiler.cli import main

main()
