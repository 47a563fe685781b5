"""Streamlit-side pieces shared by app.py and the pages: runtime resources, sign-in, state,
cached data access and UI components. Nothing here computes an indicator (that is ``metrics``)
or writes SQL (that is ``data_access``)."""
