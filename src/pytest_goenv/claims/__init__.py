"""Claims and verdicts: the catalogue of claims, verdicts computed from observations, the claims report."""
