"""Unit tier: no Docker engine, no Slack."""
