"""The commands, by feature: frozen values, and the results their handlers return.

These modules import nothing of storage (nor any I/O library): an inbound adapter (chat,
web, command line, webhook) builds a command, hands it to the bus and renders the result.
"""
