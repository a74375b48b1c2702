"""The running service: settings, composition root, HTTP app, channels, outbox and command line."""
