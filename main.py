"""staffbot's entry point: ``python main.py --help`` lists the verbs (the same as the
``staffbot`` script). The command line is :mod:`staffbot.cli`, the running bot
:mod:`staffbot.runner`, the composition root :mod:`staffbot.bootstrap`.
"""

from staffbot.cli.root import cli

if __name__ == "__main__":
    cli()
