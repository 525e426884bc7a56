"""`python -m workers` is the `news-ingest` command."""

from workers.cli import main

main()
