"""Channel-neutral conversations: button presses, commands, forms and prompts."""
