"""Who must report what, and when: the one place that reads reporting exemptions.

Every regency reports every active program from its launch month on (a month before a
program's launch date is due only where a report for it exists anyway: its state is
shown, never hidden); `ReportingExemption` rows say otherwise for a
regency, a program (or one indicator) and a range of months. Load the rows once per page
(`Obligations.load`, one query) and ask per cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from programs.compiled import CompiledModelQuery
from programs.models import Indicator, ReportingExemption


def _exemptions(programs, codes):
    rows = ReportingExemption.objects.order_by()
    if programs is not None:
        rows = rows.filter(program_id__in=programs)
    if codes is not None:
        rows = rows.filter(regency_id__in=codes)
    return rows


_EXEMPTIONS = CompiledModelQuery(ReportingExemption, _exemptions, programs="ints", codes="strs")


class Obligations:
    def __init__(self, exemptions: Iterable[ReportingExemption], programs: Iterable = ()):
        # program -> (year, month) of its launch: the first month a report is due.
        self._launch = {
            p.pk: (p.launch_date.year, p.launch_date.month) for p in programs if p.launch_date
        }
        self._programs = defaultdict(list)  # (regency, program) -> [exemption]
        self._indicators = defaultdict(list)  # (regency, indicator) -> [exemption]
        # (regency, program) pairs with an indicator exemption, and those programs'
        # indicators (`load` reads them, only when there are such pairs): a month whose
        # every indicator is exempt is a month the program is not required.
        self._indicator_pairs: set[tuple] = set()
        self._program_indicators: dict[int, list[int]] = {}
        for exemption in exemptions:
            if exemption.indicator_id is None:
                self._programs[(exemption.regency_id, exemption.program_id)].append(exemption)
            else:
                self._indicators[(exemption.regency_id, exemption.indicator_id)].append(exemption)
                self._indicator_pairs.add((exemption.regency_id, exemption.program_id))

    @classmethod
    def load(cls, *, programs=None, regency_codes=None) -> Obligations:
        """The exemptions of these programs (instances, whose launch dates count too) and
        regencies; all when None."""
        if programs is not None:
            programs = list(programs)
        rows = _EXEMPTIONS.instances(
            programs=None if programs is None else [program.pk for program in programs],
            codes=regency_codes,
        )
        return cls.of(rows, programs or ())

    @classmethod
    def of(cls, exemptions: Iterable[ReportingExemption], programs: Iterable = ()):
        """Obligations under these exemption rows (stored, or about to be: the admin asks
        what a change would leave owed), with the indicators their programs have."""
        obligations = cls(exemptions, programs)
        if obligations._indicator_pairs:  # rare: no query on pages without any
            program_ids = {program_id for _code, program_id in obligations._indicator_pairs}
            for program_id, pk in Indicator.objects.filter(program_id__in=program_ids).values_list(
                "program_id", "pk"
            ):
                obligations._program_indicators.setdefault(program_id, []).append(pk)
        return obligations

    def launched(self, program_id: int, year: int, month: int) -> bool:
        """Had the program been launched by the end of this month?"""
        launch = self._launch.get(program_id)
        return launch is None or (year, month) >= launch

    def required(
        self,
        regency_code: str | None,
        program_id: int,
        year: int,
        month: int,
        *,
        reported: bool = False,
    ) -> bool:
        """Must this regency report this program for this month? `reported`: a report
        for the month exists (before the launch, it is counted rather than hidden)."""
        if not reported and not self.launched(program_id, year, month):
            return False
        if regency_code is None:
            return True
        exemptions = self._programs.get((regency_code, program_id))
        if exemptions and any(e.covers(year, month) for e in exemptions):
            return False
        if (regency_code, program_id) in self._indicator_pairs:
            return not self._every_indicator_exempt(regency_code, program_id, year, month)
        return True  # the usual case, asked for every cell of a grid

    def _every_indicator_exempt(
        self, regency_code: str, program_id: int, year: int, month: int
    ) -> bool:
        """Each of the program's indicators exempted on its own for this month: nothing
        to fill in, so nothing owed (the to-do list, reminders and completeness counted
        such a month while its page offered nothing to fill in)."""
        indicators = self._program_indicators.get(program_id)
        return bool(indicators) and all(
            any(e.covers(year, month) for e in self._indicators.get((regency_code, pk), ()))
            for pk in indicators
        )

    def first_month_due(self, program_id: int, year: int) -> int:
        """The first month of `year` a report is due, by the program's launch alone: 1,
        the launch month, or 13 when the program starts in a later year."""
        launch = self._launch.get(program_id)
        if launch is None or launch[0] < year:
            return 1
        return launch[1] if launch[0] == year else 13

    def has_exemptions(self, regency_code: str | None, program_id: int) -> bool:
        """Any exemption row for this regency and program? False: only the launch decides
        which months are due (`first_month_due`)."""
        return bool(self._programs.get((regency_code, program_id))) or (
            (regency_code, program_id) in self._indicator_pairs
        )

    def indicator_required(
        self, regency_code: str | None, indicator, year: int, month: int
    ) -> bool:
        if not self.required(regency_code, indicator.program_id, year, month):
            return False
        return not any(
            e.covers(year, month) for e in self._indicators.get((regency_code, indicator.pk), ())
        )

    def exempt_indicators(
        self, regency_code: str | None, indicators: Iterable, year: int, month: int
    ) -> set[int]:
        """The primary keys of the indicators this regency need not report this month."""
        return {
            i.pk for i in indicators if not self.indicator_required(regency_code, i, year, month)
        }

    def nothing_required(
        self, regency_code: str | None, indicators: Iterable, year: int, month: int
    ) -> bool:
        """Nothing to fill in this month: none of these indicators (a program's) is
        required of the regency (the whole program is not, or each one is exempt)."""
        indicators = list(indicators)
        exempt = self.exempt_indicators(regency_code, indicators, year, month)
        return bool(indicators) and len(exempt) == len(indicators)

    def exempt_anywhere(self, regency_code: str, program_id: int, year: int) -> bool:
        """Exempt for every month of the year (nothing to show for the whole year)."""
        return all(not self.required(regency_code, program_id, year, m) for m in range(1, 13))
