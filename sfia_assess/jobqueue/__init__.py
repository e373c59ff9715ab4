"""Batch across machines: a durable job queue (procrastinate) in a PostgreSQL database.

Inputs and finished reports travel through the database, so a worker needs only its URL.
"""
