"""Text analysis for Chinese search: segmentation, folding, pinyin, highlights.

A leaf package: no models, no Django app, no import of any project app, so the
catalog (ground floor) and the search app above it can both use it.
"""
