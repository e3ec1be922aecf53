"""``python -m zoning`` runs the command line."""

from zoning.cli import main

main()
