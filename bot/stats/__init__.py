"""Statistics for agencies and the municipality (実態把握): the report from the read model, small numbers
protected, the annual 実績 tables, their exports (JSON, CSV, XLSX) and the console's SVG charts."""
