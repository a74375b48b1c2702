"""The conversation core: intake sheet, step machine, prompts. Pure: no I/O besides reading catalogs."""
