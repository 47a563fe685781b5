"""Issue 7's benchmark: pages, extract and import at Better Work (M) and registry (L) scale.

``python -m bench --scale M --backend sqlite`` or ``--scale L --backend postgresql``; see
``python -m bench --help``, the README's "Performance" section and docs/performance.md.
Not part of the pytest suite (an L run takes several minutes).
"""
