"""Test support: a WeChat simulator that signs and encrypts exactly as WeChat does."""
