"""Gatherings agencies hold (居場所, groups for withdrawn persons and for families, outreach days, online meetings):
the operators' file, their schedules in Japan time, and which fit the person writing."""
