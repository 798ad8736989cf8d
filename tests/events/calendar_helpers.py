"""Shared by the calendar tests: the 2026 notice as the State Council wrote it, and a
hypothetical 2027 notice (the real one is not published yet), as page form rows."""

import datetime

import chinese_calendar

from events.calendar_forms import notice_digest

#: 国办发明电〔2025〕7号: 2026 holidays (放假调休) and make-up working days (上班).
NOTICE_2026 = [
    ("holiday", "元旦", "2026-01-01", "2026-01-03"),
    ("workday", "元旦", "2026-01-04", "2026-01-04"),
    ("holiday", "春节", "2026-02-15", "2026-02-23"),
    ("workday", "春节", "2026-02-14", "2026-02-14"),
    ("workday", "春节", "2026-02-28", "2026-02-28"),
    ("holiday", "清明节", "2026-04-04", "2026-04-06"),
    ("holiday", "劳动节", "2026-05-01", "2026-05-05"),
    ("workday", "劳动节", "2026-05-09", "2026-05-09"),
    ("holiday", "端午节", "2026-06-19", "2026-06-21"),
    ("holiday", "中秋节", "2026-09-25", "2026-09-27"),
    ("holiday", "国庆节", "2026-10-01", "2026-10-07"),
    ("workday", "国庆节", "2026-09-20", "2026-09-20"),
    ("workday", "国庆节", "2026-10-10", "2026-10-10"),
]

#: A plausible 2027 notice for the tests: Spring Festival 6–14 Feb off, Saturday 20 Feb worked.
NOTICE_2027 = [
    ("holiday", "元旦", "2027-01-01", "2027-01-03"),
    ("holiday", "春节", "2027-02-06", "2027-02-14"),
    ("workday", "春节", "2027-02-20", "2027-02-20"),
]


def form_rows(year, notice, *, action="preview", digest="", rows=16):
    """The POST body of the calendar page for `notice` (empty rows padded as the page sends them)."""
    data = {
        "year": str(year),
        "action": action,
        "digest": digest,
        "r-TOTAL_FORMS": str(rows),
        "r-INITIAL_FORMS": str(rows),
        "r-MIN_NUM_FORMS": "0",
        "r-MAX_NUM_FORMS": "60",
    }
    for i in range(rows):
        kind, name, start, end = notice[i] if i < len(notice) else ("holiday", "", "", "")
        data.update({f"r-{i}-kind": kind, f"r-{i}-name": name, f"r-{i}-start": start, f"r-{i}-end": end})
    return data


def ranges_of(notice):
    return [
        {"kind": k, "name": n, "start": datetime.date.fromisoformat(a), "end": datetime.date.fromisoformat(b)}
        for k, n, a, b in notice
    ]


def digest_of(year, notice):
    return notice_digest(year, sorted(ranges_of(notice), key=lambda r: (r["start"], r["end"])))


def official_2026():
    day, out = datetime.date(2026, 1, 1), {}
    while day.year == 2026:
        out[day] = chinese_calendar.is_workday(day)
        day += datetime.timedelta(days=1)
    return out
