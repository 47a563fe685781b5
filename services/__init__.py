"""Application services: analyses that combine brand-scoped reads (``data_access``) with metric
functions (``metrics``), and the catalogue of extracts. No Streamlit here: the pages (through
``ui/insights.py`` and ``ui/downloads.py``), the HTTP API and the command-line tools all call
the same functions, so a page, its download and an API response always agree."""
