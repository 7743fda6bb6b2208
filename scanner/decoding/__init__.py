"""Decoding stage between sources and the engine: encoded text and containers."""
