"""The web server of the bot process: the web channel, webhooks, verification, health."""
