"""The read-only HTTP API (issue 18): a brand's data for its own systems — BI tools, ERP,
due-diligence reports — with the dashboard's brand isolation.

Start it with ``python -m api`` beside ``streamlit run app.py``: the same settings, the same
database, the same start-up checks (``data_access.startup``). Every endpoint calls the same
functions as the pages and the Downloads page (``services``, ``data_access``, ``metrics``); its
fields are the extracts' columns and its dictionaries the extracts' data dictionaries.
Authentication by API tokens issued in the app (``data_access.api_tokens``). docs/api.md is
the user's guide; ``/openapi.json`` and ``/docs`` describe every endpoint.

No Streamlit, no ``ui``, no ``pages`` here (tests/test_architecture.py).
"""
