"""A stand-in for ``scheduler/``: modules exporting ``JOBS``, for the runner's tests."""
