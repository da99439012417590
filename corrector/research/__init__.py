"""Research tools: the synthetic spinner, metrics, the lattice oracle and LM scoring."""
