"""Licensing for people: tiers, purchases, passes, earnings and withdrawals (DataLicensing)."""
