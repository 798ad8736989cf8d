"""Bulk entry: the XLSX import (proposals) and the initial list (published seed items)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from grids.models import Area
from personnel.scope import authorize

from ..choices import (
    ListLevel,
    Step,
    VersionState,
)
from ..models import ServiceItem, ServiceItemVersion
from .core import (
    CODE_RE,
    MANAGE,
    _log,
    _save_new_version,
)
from .entry import item_propose
from .rules import _build_rules, rules_from_general

# --- import ------------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """Result of `catalogue_import`: versions created, or errors as (row, column, message)."""

    created: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _district_by_code(code: str) -> Area | None:
    if not code:
        return None
    district = Area.objects.filter(code=code, level="county").first()
    if district is None:
        raise ValidationError({"district": [_("找不到区（县、市）编码“%(code)s”。") % {"code": code}]})
    return district


@transaction.atomic
def catalogue_import(*, actor: User | None, file) -> ImportReport:
    """Propose every row of an uploaded XLSX (layout `catalog.importing.COLUMNS`) — all or nothing.

    Each row is validated and proposed in its own savepoint (a row with an existing
    code proposes a new version of that item); if any row fails, everything is rolled
    back and the report lists `(row number, column header, message)` for every failure.
    Catalogue administrators only (`manage_catalog` at the city or the row's district).
    """
    from ..importing import HEADERS, column_of, parse_row, read_xlsx

    authorize(actor, MANAGE, None, message=_("只有事项清单管理员可以批量导入。"))

    rows, header_errors = read_xlsx(file)
    report = ImportReport(errors=list(header_errors))
    if not rows and not header_errors:
        report.errors.append((2, "", _("表格中没有数据行。")))
    if report.errors:
        return report
    for number, raw in rows:
        try:
            with transaction.atomic():
                parsed = parse_row(raw)
                existing = ServiceItem.objects.filter(code=parsed["code"]).first() if parsed["code"] else None
                version = item_propose(
                    actor=actor,
                    content=parsed["content"],
                    rules=rules_from_general(parsed["content"]["kind"], *parsed["general"]),
                    item=existing,
                    code="" if existing else parsed["code"],
                    level=parsed["level"],
                    district=_district_by_code(parsed["district_code"]),
                    opinion=_("批量导入第%(row)d行") % {"row": number},
                )
                report.created.append(version)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                report.errors.append((number, HEADERS["level"], str(exc)))
            elif hasattr(exc, "error_dict"):
                for key, messages in exc.message_dict.items():
                    for message in messages:
                        report.errors.append((number, "" if key == "__all__" else column_of(key), message))
            else:
                report.errors.extend((number, "", m) for m in exc.messages)
    if report.errors:
        transaction.set_rollback(True)
        report.created = []
    return report


@transaction.atomic
def catalogue_load(
    *, rows: list[dict], effective_date: datetime.date, actor: User | None = None
) -> list[ServiceItemVersion]:
    """Load rows (layout `catalog.importing.COLUMNS`) as published city items from `effective_date`.

    For the initial list (seed data, `manage.py import_catalogue`): the entry steps were
    taken outside the platform, so each item gets version 1, published directly, with
    one `published` step row. Rows whose code exists are skipped (safe to re-run).
    Raises `ValidationError` naming the code of the first bad row.
    """
    from ..importing import parse_row

    loaded = []
    for raw in rows:
        parsed = parse_row(raw)
        code = parsed["code"]
        if not CODE_RE.match(code):
            raise ValidationError({"code": [_("事项编码“%(code)s”格式无效。") % {"code": code}]})
        if ServiceItem.objects.filter(code=code).exists():
            continue
        errors: dict = {}
        content = parsed["content"]
        rules = _build_rules(content["kind"], rules_from_general(content["kind"], *parsed["general"]), errors)
        version = ServiceItemVersion(
            number=1,
            state=VersionState.PUBLISHED,
            effective_from=effective_date,
            proposed_by=actor,
            **{k: v for k, v in content.items() if v is not None},
        )
        try:
            version.full_clean(exclude=["item"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError({code: [f"{k}: {', '.join(v)}" for k, v in errors.items()]})
        item = ServiceItem.objects.create(code=code, level=ListLevel.CITY)
        _save_new_version(item, version, rules)
        item.current_version = version if version.is_in_force() else None
        item.save(update_fields=["current_version"])
        _log(
            item=item,
            version=version,
            step=Step.PUBLISHED,
            actor=actor,
            opinion=_("初始清单导入"),
            effective_date=effective_date,
        )
        loaded.append(version)
    return loaded
