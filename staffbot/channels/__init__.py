"""Chat channels behind one port (staffbot.channels.base). Only these modules import
telegram, aiogram or pywa."""
