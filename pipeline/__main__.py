"""`python -m pipeline`: the same as the `pipeline` command."""

from ._start import main

main()
