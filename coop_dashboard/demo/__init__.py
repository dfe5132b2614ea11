"""The demo's content built above chain/ and handed to the seed (chain/seed.seed_demo):
chain/ only sends transactions and stores what it is given."""
