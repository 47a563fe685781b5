"""Issue 7's benchmark: pages, extract and import at Better Work (M) and registry (L) scale.

``python -m bench --scale M --backend sqlite`` or ``--scale L --backend postgresql``; see
``python -m bench --help``, the README's "Performance" section and docs/performance.md.
Not part of the pytest suite (an L run takes several minutes).
"""

import os

# The refresh of every brand's stored analyses after a data change (services.stored) runs in a
# background thread in the app; the benchmark times it itself, so none runs behind its timings.
os.environ.setdefault("DASHBOARD_PRECOMPUTE", "off")
