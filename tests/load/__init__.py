"""Load test: concurrent real browser sessions against one local Streamlit server."""
