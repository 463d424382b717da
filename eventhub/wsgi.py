import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
django.setup(set_prefix=False)

from eventhub.lanes import LaneWSGIHandler  # noqa: E402

# Token API reads take a lean middleware stack (eventhub/lanes.py), everything else the whole one.
application = LaneWSGIHandler()
