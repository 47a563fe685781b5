"""Data-access layer: engine, schema, brand-scoped queries, demo data and account state.

Knows nothing of Streamlit: usable from a CLI, a test or a notebook. Every public read takes
the signed-in :class:`~data_access.viewer.Viewer` and applies the brand scope itself, in SQL.
"""
