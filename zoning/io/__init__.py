"""Reading and writing user files: one place for tables, text and atomic outputs."""
