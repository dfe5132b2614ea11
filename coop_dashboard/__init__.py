"""Coop Dashboard: the web dashboard of a decentralized AI-training cooperative."""
