"""The treasury: holdings, balance over time, flows by category, notes, commitments, runway."""
