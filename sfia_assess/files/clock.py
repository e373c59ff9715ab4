"""Today's date: the system's, or SOURCE_DATE_EPOCH's when it is set (reproducible reports)."""

from __future__ import annotations

import datetime as dt
import os

from ..errors import SfiaAssessError
from .numbers import whole_number


def today() -> dt.date:
    """Raises SfiaAssessError, one sentence, when SOURCE_DATE_EPOCH is set to no usable date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.date.today()
    seconds = whole_number(epoch)
    if seconds is None:
        shown = epoch[:40] if epoch[:40].isprintable() else ascii(epoch[:40])
        raise SfiaAssessError(
            f"SOURCE_DATE_EPOCH={shown} is not a whole number of seconds since 1970-01-01;"
            " unset it or give one, e.g. SOURCE_DATE_EPOCH=1767225600"
        )
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
    except (OverflowError, ValueError, OSError):
        raise SfiaAssessError(
            f"SOURCE_DATE_EPOCH={epoch[:40]} is past the year 9999; unset it or give seconds"
            " since 1970-01-01, e.g. SOURCE_DATE_EPOCH=1767225600"
        ) from None
