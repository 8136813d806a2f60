"""Gateway and REST payloads shaped like Discord's API documentation describes them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count(1)


def snowflake(at: datetime | None = None, *, shard: tuple[int, int] | None = None) -> int:
    """A unique snowflake whose timestamp is `at` (default: now).

    With ``shard=(shard_id, shard_count)`` the timestamp is moved forward by less than
    ``shard_count`` ms so that a guild with this id lives on that shard, since Discord's rule
    ``(id >> 22) % shard_count`` reads only the timestamp part.
    """
    at = at or datetime.now(UTC)
    ms = int(at.timestamp() * 1000) - DISCORD_EPOCH_MS
    if shard is not None:
        shard_id, shard_count = shard
        if not 0 <= shard_id < shard_count:
            raise ValueError(f"shard {shard_id} does not exist among {shard_count}")
        ms += (shard_id - ms) % shard_count
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def shard_of(snowflake_id: int, shard_count: int) -> int:
    """The shard Discord sends a guild's events to."""
    return (snowflake_id >> 22) % shard_count


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def role(
    role_id: int, name: str, *, permissions: int = 0, position: int = 1, mentionable: bool = False
) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": mentionable,
        "flags": 0,
    }


def member(user_payload: dict[str, Any], *, roles: list[int], joined_at: datetime) -> dict[str, Any]:
    return {
        "user": user_payload,
        "nick": None,
        "avatar": None,
        "roles": [str(r) for r in roles],
        "joined_at": iso(joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def text_channel(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    nsfw: bool = False,
    overwrites: list[dict[str, Any]] | None = None,
    position: int = 0,
) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": overwrites or [],
        "nsfw": nsfw,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def voice_channel(channel_id: int, guild_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 2,
        "guild_id": str(guild_id),
        "name": name,
        "position": 50,
        "permission_overwrites": [],
        "nsfw": False,
        "bitrate": 64000,
        "user_limit": 0,
        "rtc_region": None,
        "parent_id": None,
        "flags": 0,
    }


def thread_channel(thread_id: int, parent: dict[str, Any], name: str, owner_id: int) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": parent["guild_id"],
        "parent_id": parent["id"],
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso(datetime.now(UTC)),
            "locked": False,
        },
    }


def dm_channel(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    """A DM channel with one user, as Create DM returns it."""
    return {"id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0, "recipients": [recipient]}


def guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    roles: list[dict[str, Any]],
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
    preferred_locale: str = "en-US",
    features: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": list(features or []),
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": preferred_locale,
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "joined_at": iso(datetime.now(UTC)),
        "large": False,
        "unavailable": False,
        "member_count": len(members),
        "voice_states": [],
        "members": members,
        "channels": channels,
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
    }


def message(
    message_id: int,
    channel: dict[str, Any],
    author: dict[str, Any],
    *,
    content: str = "",
    embeds: list[dict[str, Any]] | None = None,
    components: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    flags: int = 0,
    interaction_id: int | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": channel["id"],
        "author": author,
        "content": content,
        "timestamp": iso(datetime.now(UTC)),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "components": components or [],
        "pinned": False,
        "type": 0 if interaction_id is None else 20,
        "flags": flags,
        "reactions": [],
    }
    if channel.get("guild_id"):
        payload["guild_id"] = channel["guild_id"]
    return payload


def emoji_payload(emoji: str) -> dict[str, Any]:
    """`name:id` for a custom emoji, else a unicode emoji."""
    if ":" in emoji:
        name, _, emoji_id = emoji.rpartition(":")
        return {"id": emoji_id, "name": name, "animated": False}
    return {"id": None, "name": emoji}
