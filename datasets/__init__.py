"""Dataset plugins: one folder per recording (README.md data card, bibtex, loader, packaging script)."""
