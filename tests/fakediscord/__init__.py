"""Lightstick's fake Discord: REST + gateway on loopback, for end-to-end tests."""

from tests.fakediscord.server import ALL_PERMISSIONS, Call, FakeDiscord, Guild, InteractionRecord, Member, Upload

__all__ = ["ALL_PERMISSIONS", "Call", "FakeDiscord", "Guild", "InteractionRecord", "Member", "Upload"]
