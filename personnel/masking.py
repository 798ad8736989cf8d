"""Server-side masking of personal data (Art. 11, 16; PIPL).

Every serializer, template and admin list shows these masked forms; the clear value is
only returned by `personnel.services.staff_unmask` (staff) and
`events.services.event_contact_unmask` (the citizen behind a demand or complaint), which
log the access.
"""


def mask_name(value: str) -> str:
    """'王小明' → '王**': the first character kept, always two stars (Art. 10, 19; PIPL).

    Always two stars, so the mask does not reveal the name's length. A one-character
    value is fully starred; surrounding blanks are ignored; empty stays empty.
    """
    value = (value or "").strip()
    if len(value) < 2:
        return "*" * len(value)
    return f"{value[0]}**"


def mask_mobile(value: str) -> str:
    """'13812345678' → '138****5678': first 3 and last 4 kept, always four stars.

    Values too short to keep anything are fully starred; empty stays empty.
    """
    value = value or ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_id_number(value: str) -> str:
    """'330203199001011234' → '330203**********1234': first 6 and last 4 kept.

    Always ten stars (as in the issue's example), so the mask does not reveal length.
    """
    value = value or ""
    if len(value) < 11:
        return "*" * len(value)
    return f"{value[:6]}**********{value[-4:]}"


MASKERS = {"mobile": mask_mobile, "id_number": mask_id_number}
