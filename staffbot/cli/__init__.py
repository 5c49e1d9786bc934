"""staffbot's command line: ``python main.py --help`` (or the ``staffbot`` script).

One module per noun; each verb turns its arguments into commands for the message bus
(:mod:`staffbot.cli.common` opens the app) and prints the result, a table for people or
``--json`` for scripts. :mod:`staffbot.cli.root` joins the nouns into one command line.
The running bot itself is :mod:`staffbot.runner`.

This file imports nothing: every verb module imports this package first, so joining
them here would make each of them import itself.
"""
