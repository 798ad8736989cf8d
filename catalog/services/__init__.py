"""Every state change of the catalogue: entry (准入), exit (退出), temporary matters (Art. 13, 19).

Each function takes keyword arguments only, the acting user as `actor`, runs in one
transaction, checks the actor's competence, changes the rows and writes one
`LifecycleStep` per step. Errors: `PermissionDenied` (wrong role, message in Chinese)
and `ValidationError` (wrong state or bad input; a dict of field → messages where a
field is at fault). Dates are local (Asia/Shanghai) calendar dates.

Entry: `item_propose` → `version_review` (the authority at the item's level,
`manage_catalog`) → `version_cosign` (the staffing office, `cosign_catalog`) →
`version_publish` (the authority, with an effective date); `version_reject` returns a
pending version with reasons, and the proposer revises by proposing again (a new
version). Exit, likewise co-signed: `item_exit_propose` → `item_exit_cosign` (the staffing
office) → `item_exit_approve` (the authority, effective date), or `item_exit_reject`.
A published version is never edited.

Modules: `core` (the competence checks, the step log, the date housekeeping
`catalog_refresh`), `rules` (handling rules per grade), `entry` (propose, review,
co-sign, publish, reject), `exits` (exit), `matters` (Art. 19 temporary matters and the
task check), `loading` (XLSX import and the initial list). Callers import the module
that holds the function.
"""
