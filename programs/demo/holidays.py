"""Indonesia's national public holidays (hari libur nasional) and the government's
collective leave (cuti bersama), 2024 on: days nobody in the demo works, as on a
weekend (`programs.demo.seed`: the operators and the verifier act in office hours on
working days).

Source, for each year: the joint decree of the Minister of Religious Affairs, the Minister
of Manpower and the Minister for State Apparatus Empowerment and Bureaucratic Reform
(SKB 3 Menteri) on national holidays and collective leave of that year:

- 2024: SKB No. 855 Tahun 2023, No. 3 Tahun 2023, No. 4 Tahun 2023 (as amended by
  No. 236 Tahun 2024, No. 1 Tahun 2024, No. 2 Tahun 2024): 17 holidays, 10 days' leave.
- 2025: SKB No. 1017 Tahun 2024, No. 2 Tahun 2024, No. 2 Tahun 2024: 17 holidays, 10
  days' leave.
- 2026: SKB No. 1497 Tahun 2025, No. 2 Tahun 2025, No. 5 Tahun 2025: 17 holidays, 8
  days' leave.
- 2027 and every later year: no SKB in this table yet, so only the holidays known
  without one, computed (`_fixed_and_easter`): the dates that are fixed (1 January,
  1 May, 1 June, 17 August, 25 December), and Good Friday and Ascension Day from Easter
  (28 March 2027). The lunar-calendar holidays and the collective leave come with the
  year's SKB: add its year to the table, and the rule starts after it. A demo running on
  into 2028 so works on none of New Year's Day, Labour Day, 17 August or Christmas.

Holidays declared apart from the SKB (the 2024 election days by presidential decree) are
not here. Days that fall on a weekend are listed as the SKB lists them (they change
nothing). Only the demo reads this table: the app's deadlines count calendar days.
"""

from __future__ import annotations

import datetime as dt

from programs.models import MAX_YEAR

# (month, day) of each year's holidays (H) and collective leave (C).
_TABLE: dict[int, dict[str, list[tuple[int, int]]]] = {
    2024: {
        "H": [
            (1, 1),  # Tahun Baru Masehi
            (2, 8),  # Isra Mikraj
            (2, 10),  # Tahun Baru Imlek 2575
            (3, 11),  # Nyepi, Saka 1946
            (3, 29),  # Wafat Isa Almasih
            (3, 31),  # Paskah
            (4, 10),  # Idulfitri 1445 H
            (4, 11),
            (5, 1),  # Hari Buruh
            (5, 9),  # Kenaikan Isa Almasih
            (5, 23),  # Waisak 2568
            (6, 1),  # Hari Lahir Pancasila
            (6, 17),  # Iduladha 1445 H
            (7, 7),  # Tahun Baru Islam 1446 H
            (8, 17),  # Proklamasi Kemerdekaan
            (9, 16),  # Maulid Nabi
            (12, 25),  # Natal
        ],
        "C": [
            (2, 9),
            (3, 12),
            (4, 8),
            (4, 9),
            (4, 12),
            (4, 15),
            (5, 10),
            (5, 24),
            (6, 18),
            (12, 26),
        ],
    },
    2025: {
        "H": [
            (1, 1),  # Tahun Baru Masehi
            (1, 27),  # Isra Mikraj
            (1, 29),  # Tahun Baru Imlek 2576
            (3, 29),  # Nyepi, Saka 1947
            (3, 31),  # Idulfitri 1446 H
            (4, 1),
            (4, 18),  # Wafat Isa Almasih
            (4, 20),  # Paskah
            (5, 1),  # Hari Buruh
            (5, 12),  # Waisak 2569
            (5, 29),  # Kenaikan Isa Almasih
            (6, 1),  # Hari Lahir Pancasila
            (6, 6),  # Iduladha 1446 H
            (6, 27),  # Tahun Baru Islam 1447 H
            (8, 17),  # Proklamasi Kemerdekaan
            (9, 5),  # Maulid Nabi
            (12, 25),  # Natal
        ],
        "C": [(1, 28), (3, 28), (4, 2), (4, 3), (4, 4), (4, 7), (5, 13), (5, 30), (6, 9), (12, 26)],
    },
    2026: {
        "H": [
            (1, 1),  # Tahun Baru Masehi
            (1, 16),  # Isra Mikraj
            (2, 17),  # Tahun Baru Imlek 2577
            (3, 19),  # Nyepi, Saka 1948
            (3, 21),  # Idulfitri 1447 H
            (3, 22),
            (4, 3),  # Wafat Isa Almasih
            (4, 5),  # Paskah
            (5, 1),  # Hari Buruh
            (5, 14),  # Kenaikan Isa Almasih
            (5, 27),  # Iduladha 1447 H
            (5, 31),  # Waisak 2570
            (6, 1),  # Hari Lahir Pancasila
            (6, 16),  # Tahun Baru Islam 1448 H
            (8, 17),  # Proklamasi Kemerdekaan
            (8, 25),  # Maulid Nabi
            (12, 25),  # Natal
        ],
        "C": [(2, 16), (3, 18), (3, 20), (3, 23), (3, 24), (5, 15), (5, 28), (12, 24)],
    },
}

# Holidays on the same date every year (Keppres on national holidays).
_FIXED_DATES = [(1, 1), (5, 1), (6, 1), (8, 17), (12, 25)]
# The demo's years go no further.
_LAST_YEAR = MAX_YEAR


def easter(year: int) -> dt.date:
    """Easter Sunday of `year` (Gregorian calendar; the anonymous algorithm of Meeus,
    Jones and Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _fixed_and_easter(year: int) -> list[dt.date]:
    """A year's holidays known without its SKB: the fixed dates, Good Friday (Wafat Isa
    Almasih) and Ascension Day (Kenaikan Isa Almasih)."""
    sunday = easter(year)
    return [
        *(dt.date(year, month, day) for month, day in _FIXED_DATES),
        sunday - dt.timedelta(days=2),
        sunday + dt.timedelta(days=39),
    ]


HOLIDAYS: frozenset[dt.date] = frozenset(
    dt.date(year, month, day) for year, days in _TABLE.items() for month, day in days["H"]
) | frozenset(
    day for year in range(max(_TABLE) + 1, _LAST_YEAR + 1) for day in _fixed_and_easter(year)
)
COLLECTIVE_LEAVE: frozenset[dt.date] = frozenset(
    dt.date(year, month, day) for year, days in _TABLE.items() for month, day in days["C"]
)
# Every day off besides weekends.
DAYS_OFF: frozenset[dt.date] = HOLIDAYS | COLLECTIVE_LEAVE
