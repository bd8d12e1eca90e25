"""CSV files in: byte streams to lines (``byte_lines``), cells to values (``values``), rows
to order commands (``order_csv``, ``order_rows``) or fleet rows (``fleet_csv``), and the report
a brand gets back (``import_report``). Parsing only; the use cases live with their feature.
"""
