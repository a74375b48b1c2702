"""The ways people reach the bot: each package here is a channel (found by registry.py) that verifies, parses and
translates its platform's events and hands them to the one inbound port (port.py); replies leave by its sender."""
