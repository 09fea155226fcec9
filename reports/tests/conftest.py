from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

RIYADH = ZoneInfo("Asia/Riyadh")
NOW = datetime(2026, 6, 20, 12, 0, tzinfo=RIYADH)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=RIYADH)


@pytest.fixture
def frozen_now():
    """20 June 2026, noon in Riyadh: "this month" is June whatever day the tests run."""
    with time_machine.travel(NOW, tick=False):
        yield NOW
