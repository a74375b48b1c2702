"""Outreach materials (相談窓口の周知): an agency's poster and card, made from the running configuration: the
channels that are set up (links and QR codes), the agency's hours and the operators' 24-hour crisis lines;
printed to PDF and PNG by Chromium. The use case (scope, audit) is bot.cases.outreach."""
