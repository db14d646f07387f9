"""The `pipeline` command line: a face on the public API, as the web page is another.

    _start       the entry point; imports nothing heavy, so Ctrl+C works while the rest loads
    commands     the click commands, thin over the public API
    _options     the paths and folder options the commands share
    _failures    the core's errors as the clerk sees them (problem list, return copies)
    _help        click in Chinese: help pages and usage errors
    _policy      how every run ends: exit codes, signals, the internal-error message
    _terminal    encodings that lack a character, NO_COLOR, best-effort output
    _console     problems, the summary table and the spinner on the terminal
    _submissions_view  the 报送情况 table and where the return copies went

Nothing is imported here: `_start` is loaded through this package before anything heavy.
"""
