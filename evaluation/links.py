"""Links from evaluation pages to other apps' pages, in one place so they can be swapped."""


def event_url(number: str) -> str:
    """The URL of an event's timeline page (the events app serves `/events/<number>/`)."""
    return f"/events/{number}/"
