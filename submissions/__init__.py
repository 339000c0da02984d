"""Model plugins: one folder per model family (card, builder, candidate layers)."""
