"""Chinese numerals, as headings (一、 （二）) and counts (九大类十个合作事项) are written."""

from __future__ import annotations

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(number: int) -> str:
    """`9` → 九, `10` → 十, `15` → 十五, `105` → 一百零五, `100000` → 十万."""
    if number < 0:
        return "负" + chinese_numeral(-number)
    if number >= 10**8:
        return str(number)
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    high, low = divmod(number, 10000)
    if not high:
        return _below_ten_thousand(low)
    text = chinese_numeral(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + _below_ten_thousand(low)
    return text


def _below_ten_thousand(number: int) -> str:
    text = ""
    started = False
    gap = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if not digit:
            gap = started
            continue
        if gap:
            text += "零"
            gap = False
        text += _DIGITS[digit] + unit
        started = True
    return text
