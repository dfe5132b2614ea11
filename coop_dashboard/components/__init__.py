"""Stateless UI pieces: they take values (plain or Vars) and never touch a State."""
