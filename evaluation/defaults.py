"""Default schemes an authority starts from (Art. 22), e.g. for the demo.

Each weighs operating results, duty performance and public satisfaction to 100 points,
plus up to 10 bonus points; late reports (over 24 natural hours) cost 1 point each,
concealed reports found later 2 points each. Handling time is in working hours
(7.5 a working day): full points within one working day, none beyond five. The staff scheme (grid leaders, full-time
workers, instructors) includes public satisfaction, as Art. 22 requires.
"""

from django.utils.translation import gettext_lazy as _

from .choices import SubjectKind

RESULTS, DUTY, PEOPLE = "运行成效", "履职情况", "群众满意"

DEFAULT_INDICATORS: dict[str, list[dict]] = {
    SubjectKind.TOWNSHIP: [
        {"code": "closure_rate", "group": RESULTS, "weight": 20, "floor": 60, "target": 95},
        {"code": "accepted_on_time", "group": RESULTS, "weight": 10, "floor": 60, "target": 100},
        {"code": "dispatch_accuracy", "group": RESULTS, "weight": 10, "floor": 70, "target": 100},
        {"code": "avg_dispatch_hours", "group": RESULTS, "weight": 10, "floor": 24, "target": 2},
        {"code": "valid_report_rate", "group": DUTY, "weight": 10, "floor": 70, "target": 100},
        {"code": "on_the_spot_rate", "group": DUTY, "weight": 10, "floor": 0, "target": 60},
        {"code": "household_coverage", "group": DUTY, "weight": 10, "floor": 0, "target": 100},
        {"code": "satisfaction_avg", "group": PEOPLE, "weight": 20, "floor": 3, "target": 5},
    ],
    SubjectKind.UNIT: [
        {"code": "signed_on_time", "group": RESULTS, "weight": 15, "floor": 60, "target": 100},
        {"code": "completed_on_time", "group": RESULTS, "weight": 25, "floor": 60, "target": 100},
        {"code": "overdue_multiple", "group": RESULTS, "weight": 10, "floor": 3, "target": 1, "missing_ratio": 1},
        {"code": "closure_rate", "group": DUTY, "weight": 20, "floor": 60, "target": 95},
        {"code": "avg_handling_hours", "group": DUTY, "weight": 10, "floor": 37.5, "target": 7.5},
        {"code": "satisfaction_avg", "group": PEOPLE, "weight": 20, "floor": 3, "target": 5},
    ],
    SubjectKind.STAFF: [
        {"code": "events_reported", "group": DUTY, "weight": 20, "floor": 0, "target": 20},
        {"code": "valid_report_rate", "group": DUTY, "weight": 15, "floor": 70, "target": 100},
        {"code": "on_the_spot_rate", "group": DUTY, "weight": 10, "floor": 0, "target": 60},
        {"code": "report_lateness_hours", "group": DUTY, "weight": 10, "floor": 48, "target": 2},
        {"code": "verifications_on_time", "group": DUTY, "weight": 10, "floor": 60, "target": 100},
        {"code": "household_coverage", "group": DUTY, "weight": 15, "floor": 0, "target": 100},
        {"code": "satisfaction_avg", "group": PEOPLE, "weight": 20, "floor": 3, "target": 5},
    ],
}

DEFAULT_NAMES = {
    SubjectKind.TOWNSHIP: _("乡镇（街道）网格化工作月度考评"),
    SubjectKind.UNIT: _("承办单位事件办理月度考评"),
    SubjectKind.STAFF: _("网格长、专职网格员、网格指导员月度考评"),
}
