"""Chinese words for breaking titles: jieba's dictionary and its most-probable-route method.

Chinese has no spaces between words. jieba finds the words of a text as the split whose words'
dictionary frequencies give the highest product. Loading its dictionary of 300 000 words takes
a few tenths of a second, more than a whole small build; a title needs a few hundred look-ups.
So the word list (`pipeline/words/words.txt`, made from jieba's by `tools/make_word_list.py`)
is a sorted file that is searched in place (memory-mapped), never loaded.
"""

from __future__ import annotations

import math
import mmap
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORD_LIST = Path(__file__).resolve().parents[1] / "words" / "words.txt"
TOTAL_FREQUENCY = 60101967  # of jieba's whole dictionary, as printed by the tool
_LOG_TOTAL = math.log(TOTAL_FREQUENCY)
_HAN = re.compile(r"[\u4e00-\u9fff]+")
# Outside Chinese runs: numbers and Latin words stay whole (2023-2025, ISO50001, 3.5%).
_OTHER = re.compile(r"[A-Za-z0-9０-９.%\-+#&_]+|.", re.DOTALL)


@dataclass(frozen=True)
class Word:
    text: str
    verb: bool = False


class WordList:
    """A sorted file of `word<TAB>frequency[<TAB>v]` lines, searched by bisection."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            self._data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)

    def find(self, word: str) -> tuple[tuple[int, bool] | None, bool]:
        """(frequency, is a verb) of `word` or None, and whether longer words start with it."""
        key = word.encode("utf-8")
        data = self._data
        low, high = 0, len(data)
        while low < high:  # low and high are always at the start of a line
            middle = (low + high) // 2
            start = data.rfind(b"\n", 0, middle) + 1
            end = data.find(b"\n", start)
            if end < 0:
                end = len(data)
            line = data[start:end]
            tab = line.find(b"\t")
            found = line[:tab]
            if found == key:
                fields = line.split(b"\t")
                longer = data[end + 1 : end + 1 + len(key)] == key
                return (int(fields[1]), len(fields) > 2 and fields[2] == b"v"), longer
            if key < found:
                high = start
            else:
                low = end + 1
        # `low` is where `key` would be: the next word shows whether any starts with it.
        return None, data[low : low + len(key)] == key


@cache
def _word_list() -> WordList:
    return WordList(WORD_LIST)


def words(text: str) -> list[Word]:
    """The words of `text`, in order; every character of `text` is in exactly one word."""
    result: list[Word] = []
    position = 0
    for run in _HAN.finditer(text):
        result += _others(text[position : run.start()])
        result += _chinese_words(run.group())
        position = run.end()
    return result + _others(text[position:])


def _others(text: str) -> list[Word]:
    return [Word(match.group()) for match in _OTHER.finditer(text)]


def _chinese_words(text: str) -> list[Word]:
    """jieba's route without its model for unknown words: from each character, the dictionary
    words starting there; from the end, the split of highest total log frequency."""
    word_list = _word_list()
    length = len(text)
    # best[i]: (score of the best split of text[i:], end of its first word, is it a verb)
    best: list[tuple[float, int, bool]] = [(0.0, length, False)] * (length + 1)
    for start in range(length - 1, -1, -1):
        choice: tuple[float, int, bool] | None = None
        for end in range(start + 1, length + 1):
            entry, longer = word_list.find(text[start:end])
            if entry is None and end == start + 1:
                entry = (1, False)  # a character the list does not know is a word of its own
            if entry is not None:
                frequency, verb = entry
                score = math.log(frequency) - _LOG_TOTAL + best[end][0]
                if choice is None or score > choice[0]:
                    choice = (score, end, verb)
            if not longer:
                break
        best[start] = choice
    result = []
    start = 0
    while start < length:
        _, end, verb = best[start]
        result.append(Word(text[start:end], verb))
        start = end
    return result
