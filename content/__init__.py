"""Installed as the package `iop_content`, so a wheel carries every template and data file.

A clinic overrides templates, labels and lessons with a CONTENT_DIR of its own, never by
editing these files in place.
"""
