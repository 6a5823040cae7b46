"""factory_boy factories for test data (reference data comes from fixtures)."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from programs.models import (
    FundingSource,
    Indicator,
    MonthlyReport,
    Program,
    Realization,
    Target,
)
from regencies.models import Regency, UserScope


class RegencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regency
        django_get_or_create = ("code",)

    # 99.01 .. 99.99, then 98.01 ..: always the NN.NN format the database requires
    code = factory.Sequence(lambda n: f"{99 - n // 99:02d}.{n % 99 + 1:02d}")
    bps_code = factory.Sequence(lambda n: f"{99 - n // 99:02d}{n % 99 + 1:02d}")
    name = factory.Sequence(lambda n: f"Uji {n + 1}")
    kind = Regency.Kind.KABUPATEN
    is_synthetic = True


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"program-{n}")
    acronym = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Program uji {n}")
    launch_date = dt.date(2024, 1, 1)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    program = factory.SubFactory(ProgramFactory)
    code = factory.Sequence(lambda n: f"indikator-{n}")
    name = factory.Sequence(lambda n: f"Indikator {n}")
    unit = "unit"
    measure = Indicator.Measure.INCREMENT
    direction = Indicator.Direction.UP


class FundingSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingSource
        django_get_or_create = ("code",)

    code = "tidak-dirinci"
    category = FundingSource.Category.TIDAK_DIRINCI
    name = "Tidak dirinci"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    regency = None
    year = 2024
    value = Decimal(100)


class MonthlyReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyReport

    regency = factory.SubFactory(RegencyFactory)
    program = factory.SubFactory(ProgramFactory)
    year = 2024
    month = 1
    status = MonthlyReport.Status.VERIFIED
    verified_at = factory.LazyFunction(lambda: dt.datetime(2024, 2, 5, tzinfo=dt.UTC))


class RealizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Realization

    report = factory.SubFactory(MonthlyReportFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    funding_source = factory.SubFactory(FundingSourceFactory)
    value = Decimal(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("rahasia-uji-123")


class UserScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserScope

    user = factory.SubFactory(UserFactory)
    role = UserScope.Role.PIMPINAN
