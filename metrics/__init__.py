"""Pure indicator computations: DataFrames in, numbers and DataFrames out.

No Streamlit, no SQL. Each function documents its formula, unit and how missing data is
treated; pages, extracts and docs all call the same function, so a number has one definition.
"""
