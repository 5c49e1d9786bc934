"""The workflow domain: flow model, engine, the SOP as data, working-day calendar.

Pure: imports nothing of the project and no I/O library.
"""
