"""The domain: the framework, assessments, scoring, reviews and career mapping.

Nothing here imports click, Starlette, SQLAlchemy, the store, the web app or the reports.
"""
