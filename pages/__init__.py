"""Page scripts, registered with ``st.navigation`` in ``app.py``.

They live in sub-folders on purpose: Streamlit treats ``*.py`` files directly inside ``pages/``
as a legacy (v1) multipage app until ``st.navigation`` has run once in the process, and would
then run such a page *without* ``app.py`` (no sign-in check, no sidebar) when its URL is the
first one a fresh server or ``AppTest`` sees.
"""
