"""Today's date: the system's, or SOURCE_DATE_EPOCH's when it is set (reproducible reports)."""

from __future__ import annotations

import datetime as dt
import os

from .errors import SfiaAssessError


def today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.date.today()
    if not epoch.isdigit():
        raise SfiaAssessError(
            f"SOURCE_DATE_EPOCH={epoch[:40]!r} is not a number of seconds since 1970-01-01;"
            " unset it or give one, e.g. SOURCE_DATE_EPOCH=1767225600"
        )
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    except (OverflowError, ValueError, OSError):
        raise SfiaAssessError(
            f"SOURCE_DATE_EPOCH={epoch[:40]} is past the year 9999; unset it or give seconds"
            " since 1970-01-01, e.g. SOURCE_DATE_EPOCH=1767225600"
        ) from None
