"""The dates of the shared-services arrangement, each written once.

The published sources (data/public/arrangements.csv, programme_milestones.csv) carry them for
the warehouse; these constants are for the code that needs them before or beside a query: the
illustrative generator, chart markers and importers.
"""

from __future__ import annotations

import datetime as dt

# The sources give only the year sharing began (2011); the month is an assumption, said
# wherever it is shown (LBHF's "One Year On" report of June 2012 is consistent with mid-2011).
SHARING_START = dt.date(2011, 6, 1)
# Hammersmith and Fulham took its services back on 1 April 2018 (after its notice of 27 March
# 2017); Westminster and Kensington and Chelsea carried on together.
SPLIT = dt.date(2018, 4, 1)
