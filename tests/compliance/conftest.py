"""Fixtures of the compliance tests: a store, the seeded category tree, qualifications."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from compliance import loaders, services
from compliance.models import Category, Qualification, QualificationFile, QualificationType
from compliance.screening.runtime import forget_compiled
from tests.factories import PDF_BYTES, StoreFactory

NOW_DATE = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _fresh_screener():
    # The compiled screener lives in the process; each test starts from its own rows.
    forget_compiled()
    yield
    forget_compiled()


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def other_store(other_merchant):
    return StoreFactory(merchant=other_merchant)


@pytest.fixture
def tree(db):
    """The seeded category tree and qualification types."""
    loaders.load_categories()
    return {c.code: c for c in Category.objects.select_related("parent__parent")}


@pytest.fixture
def rules_seeded(db):
    loaders.load_screening_rules()


@pytest.fixture
def qtype(db):
    def get(code):
        return QualificationType.objects.get(code=code)

    return get


@pytest.fixture
def approved_qualification(reviewer):
    """Submit and approve a qualification of `code` for `store`, valid until `until`."""

    def make(store, type, *, until=date(2027, 6, 30), valid_from=date(2025, 1, 1), now=None):
        qualification = Qualification.objects.create(
            store=store, type=type, number="JY13301020000001", issuer="市场监管局",
            valid_from=valid_from, valid_until=until, status=Qualification.Status.PENDING,
        )
        QualificationFile.objects.create(
            qualification=qualification, file=ContentFile(PDF_BYTES, name="scan.pdf"),
            original_name="scan.pdf", content_type="application/pdf", size=len(PDF_BYTES),
        )
        return services.qualification_approve(qualification=qualification, actor=reviewer, now=now)

    return make


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
