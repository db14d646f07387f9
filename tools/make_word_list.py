"""Write pipeline/words/words.txt, the word list titles are broken by, from jieba's dictionary.

jieba (MIT licence, © Sun Junyi) publishes its dictionary as `jieba/dict.txt` in its source
package: `pip download jieba==0.42.1 --no-deps --no-binary :all:`, unpack it, then

    python tools/make_word_list.py path/to/jieba/dict.txt

The list keeps the words of Chinese characters only that occur more than twice in jieba's
corpus (the rarest, frequency 2, add little), one a line as `word<TAB>frequency` with `<TAB>v`
after a verb, sorted by their UTF-8 bytes so the segmenter can search the file without
loading it. It prints the total frequency to put in `pipeline/render/segmenter.py`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "pipeline" / "words" / "words.txt"
MIN_FREQUENCY = 3
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def main(argv: list[str]) -> None:
    source = Path(argv[0])
    total = 0
    entries: list[bytes] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        word, frequency = fields[0], int(fields[1])
        total += frequency  # jieba's total counts every word
        if frequency < MIN_FREQUENCY or not _HAN.match(word):
            continue
        verb = len(fields) > 2 and fields[2] == "v"
        entries.append(f"{word}\t{frequency}{chr(9) + 'v' if verb else ''}".encode())
    entries.sort(key=lambda entry: entry.split(b"\t", 1)[0])
    OUTPUT.write_bytes(b"\n".join(entries) + b"\n")
    print(f"{len(entries)} words written to {OUTPUT}; total frequency {total}")


if __name__ == "__main__":
    main(sys.argv[1:])
