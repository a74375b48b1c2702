"""Channel adapters: verify, parse, translate to Inbound, call the service, render replies."""
