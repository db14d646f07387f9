"""`python -m pipeline`: the same as the `pipeline` command."""

from .cli._start import main

main()
