"""Text and the records shared by every stage: sentences and tokens with exact spans, the
candidate lattice, and the frozen results (edits, scores, restorations)."""
