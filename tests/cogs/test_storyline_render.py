"""The pure storyline builders: every catalog entry as a daily post, status, today, history."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

import discord
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.catalog import MV, load_catalog
from bot.i18n import Msg, _, speaking
from bot.storyline import (
    CycleProgress,
    PostFailed,
    PostOutcome,
    PostPlan,
    PostRecord,
    PostState,
    PreviousPost,
    RunResult,
    ScheduledRun,
    Skipped,
    StorylineSettings,
    StorylineStatus,
    StorylineToday,
)
from bot.storyline.reasons import CHANNEL_GONE, GAVE_UP, MISSING_PERMISSIONS, MV_GONE, english, fill, shown
from cogs.mv.render import MATURE_MARK, WARNING_PREFIX, warning_line
from cogs.storyline.render import (
    build_history_embed,
    build_post_embed,
    build_status_embed,
    cycle_line,
    format_day,
    history_line,
    post_now_message,
    post_title,
    post_titles,
    preview_content,
    skipped_message,
    thread_name,
    today_message,
)

CATALOG = load_catalog()
STORY_IDS = [mv.id for mv in CATALOG.with_storyline()]
GUILD, CHANNEL = 111, 222
DAY = date(2026, 3, 1)
RUN_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)  # 21:00 in Seoul


def entry(mv_id: str) -> MV:
    mv = CATALOG.get(mv_id)
    assert mv is not None
    return mv


def plan(**changes: object) -> PostPlan:
    base = PostPlan(
        guild_id=GUILD,
        channel_id=CHANNEL,
        local_date=DAY,
        scheduled_at=RUN_AT,
        mv_id="vixx-error",
        cycle=0,
        remaining_in_cycle=12,
        ping_role_id=None,
        thread=True,
        late=False,
        manual=False,
        previous=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def record(state: PostState = PostState.POSTED, **changes: object) -> PostRecord:
    base = PostRecord(
        guild_id=GUILD,
        local_date=DAY,
        state=state,
        scheduled_at=RUN_AT,
        channel_id=CHANNEL,
        mv_id="vixx-error" if state in (PostState.POSTED, PostState.CLAIMED) else None,
        cycle=0,
        remaining_in_cycle=12,
        message_id=333 if state is PostState.POSTED else None,
        thread_id=333 if state is PostState.POSTED else None,
        late=False,
        manual=False,
        recovered=False,
        attempts=1,
        error=None,
        updated_at=RUN_AT,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def guild_settings(**changes: object) -> StorylineSettings:
    base = StorylineSettings(
        guild_id=GUILD,
        channel_id=CHANNEL,
        local_time=time(21, 0),
        timezone="Asia/Seoul",
        ping_role_id=None,
        thread=True,
        include_mature=False,
        catch_up_hours=6,
        paused=False,
        paused_reason=None,
        disabled=False,
        next_run=ScheduledRun(date(2026, 3, 2), RUN_AT + timedelta(days=1)),
        cycle=0,
        last_result="posted",
        last_error=None,
        last_result_at=RUN_AT,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def status(settings: StorylineSettings, last: PostRecord | None = None, remaining: int = 12) -> StorylineStatus:
    return StorylineStatus(
        settings=settings,
        next_run=settings.next_run if settings.active else None,
        last_post=last,
        progress=CycleProgress(0, 25 - remaining, remaining),
    )


def texts(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    found = [data.get("title", ""), data.get("description", ""), data.get("footer", {}).get("text", "")]
    found += [part for f in data.get("fields", []) for part in (f["name"], f["value"])]
    return [text for text in found if text]


def field(embed: discord.Embed, name: str) -> str:
    found = [str(f.value) for f in embed.fields if f.name == name]
    assert found, f"no field {name!r} in {[f.name for f in embed.fields]}"
    return found[0]


def outside_spoilers(text: str) -> str:
    return "\x00".join(text.split("||")[0::2])


def assert_within_discord_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert len(data.get("description", "")) <= 4096
    assert len(data.get("fields", [])) <= 25
    for item in data.get("fields", []):
        assert 1 <= len(item["name"]) <= 256 and 1 <= len(item["value"]) <= 1024
    assert len(data.get("footer", {}).get("text", "")) <= 2048
    assert len(embed) <= 6000
    for text in texts(embed):
        assert text.count("||") % 2 == 0, text


# --------------------------------------------------------------------------- the daily post


@pytest.mark.parametrize("mv_id", STORY_IDS)
def test_every_storyline_posts_within_limits_with_the_twist_hidden_and_warnings_shown(mv_id: str) -> None:
    mv = entry(mv_id)
    embed = build_post_embed(mv, plan(mv_id=mv_id))
    assert_within_discord_limits(embed)
    assert embed.title == "Storyline of the day — March 1, 2026"
    assert mv.title in field(embed, "MV") and mv.artist in field(embed, "Artist")
    assert field(embed, "Year") == str(mv.year)
    assert mv.youtube_link in field(embed, "Watch") and embed.url == mv.youtube_link
    if mv.twist:
        twist = field(embed, "Twist (spoiler)")
        assert twist.startswith("||") and twist.endswith("||")
        assert not any(mv.twist in outside_spoilers(text) for text in texts(embed))
    if mv.content_warnings:
        line = warning_line(mv)
        assert line is not None and line in outside_spoilers(embed.description or "")
    assert (str(MATURE_MARK) in (embed.description or "")) == mv.mature
    assert thread_name(mv) == f"{mv.title} — discussion"


def test_the_post_links_the_video_itself_when_its_id_is_known_else_a_search() -> None:
    haru = build_post_embed(entry("bigbang-haru-haru"), plan(mv_id="bigbang-haru-haru"))
    direct = "https://www.youtube.com/watch?v=MzCbEdtNbJ0"
    assert haru.url == direct and field(haru, "Watch") == f"[Watch on YouTube]({direct})"
    rose = build_post_embed(entry("rose-toxic-till-the-end"), plan(mv_id="rose-toxic-till-the-end"))
    search = "https://www.youtube.com/results?search_query=ROS%C3%89+toxic+till+the+end+MV"
    assert rose.url == search and field(rose, "Watch") == f"[Find it on YouTube]({search})"


def test_the_storyline_follows_the_warnings_in_the_description() -> None:
    mv = entry("vixx-error")
    description = build_post_embed(mv, plan()).description or ""
    assert mv.storyline is not None and mv.content_warnings
    assert description.index(WARNING_PREFIX) < description.index(mv.storyline[:40])


@given(
    title=st.text(min_size=1, max_size=400),
    story=st.text(min_size=1, max_size=9000),
    twist=st.text(min_size=1, max_size=3000),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_oversized_text_is_cut_and_never_opens_a_spoiler(title: str, story: str, twist: str) -> None:
    mv = dataclasses.replace(entry("vixx-error"), title=title, storyline=story, twist=twist)
    previous = PreviousPost(DAY - timedelta(days=1), CHANNEL, 444, None)
    embed = build_post_embed(mv, plan(late=True, previous=previous), local_time="<t:1:t>")
    assert_within_discord_limits(embed)
    assert len(thread_name(mv)) <= 100 and thread_name(mv).endswith(" — discussion")
    assert field(embed, "Twist (spoiler)").startswith("||")


@pytest.mark.parametrize(
    ("remaining", "expected"),
    [
        (24, "24 more storylines before the cycle repeats."),
        (4, "4 more storylines before the cycle repeats."),
        (3, "⚠️ Only 3 more storylines before the cycle repeats."),
        (1, "⚠️ Only 1 more storyline before the cycle repeats."),
        (0, "⚠️ This is the last storyline of the cycle; the next one starts again in a new order."),
    ],
)
def test_the_cycle_line_warns_when_three_or_fewer_are_left(remaining: int, expected: str) -> None:
    assert cycle_line(remaining) == expected
    embed = build_post_embed(entry("vixx-error"), plan(remaining_in_cycle=remaining))
    assert embed.footer.text == expected


def test_yesterdays_thread_or_an_older_post_is_linked() -> None:
    mv = entry("vixx-error")
    yesterday = PreviousPost(date(2026, 2, 28), CHANNEL, 444, 444)
    embed = build_post_embed(mv, plan(previous=yesterday))
    assert field(embed, "Yesterday's storyline") == f"[Discussion thread](https://discord.com/channels/{GUILD}/444)"
    older = PreviousPost(date(2026, 2, 25), CHANNEL, 555, None)
    embed = build_post_embed(mv, plan(previous=older))
    link = f"[The post](https://discord.com/channels/{GUILD}/{CHANNEL}/555)"
    assert field(embed, "Previous storyline (February 25, 2026)") == link


def test_a_late_post_says_so_first() -> None:
    embed = build_post_embed(entry("vixx-error"), plan(late=True), local_time="<t:1772366400:t>")
    assert (embed.description or "").startswith(
        "🕒 Posted late: Lightstick was offline at the scheduled time (<t:1772366400:t>)."
    )
    assert "Posted late" not in (build_post_embed(entry("vixx-error"), plan()).description or "")


def test_titles_and_days_read_the_same_everywhere() -> None:
    assert format_day(date(2026, 10, 4)) == "October 4, 2026"
    assert post_title(date(2026, 10, 4)) == "Storyline of the day — October 4, 2026"


def test_thread_names_keep_within_100_characters() -> None:
    long_title = dataclasses.replace(entry("vixx-error"), title="L" * 150)
    name = thread_name(long_title)
    assert len(name) == 100 and name.endswith("… — discussion")


# --------------------------------------------------------------------------- status


def test_status_shows_where_when_the_last_post_and_the_cycle() -> None:
    embed = build_status_embed(status(guild_settings(ping_role_id=77), record()), CATALOG.get)
    assert_within_discord_limits(embed)
    assert field(embed, "Channel") == f"<#{CHANNEL}>"
    assert field(embed, "Time") == "21:00 Asia/Seoul"
    assert "<@&77>" in field(embed, "Options") and "catch-up 6 hours" in field(embed, "Options")
    next_post = field(embed, "Next post")
    assert next_post.startswith("March 2, 2026 at 21:00 (Asia/Seoul)")
    assert f"<t:{int((RUN_AT + timedelta(days=1)).timestamp())}:F>" in next_post
    assert field(embed, "Last post").startswith("✅ March 1, 2026 — [Error — VIXX (2014)](")
    assert field(embed, "Rotation") == "Cycle 1: 13 of 25 posted. 12 more storylines before the cycle repeats."


def test_status_shows_the_error_that_stopped_a_post_and_a_pause() -> None:
    failed = guild_settings(last_result="failed", last_error="Missing permissions in #storyline: Send Messages.")
    embed = build_status_embed(status(failed, record(PostState.FAILED, error=failed.last_error)), CATALOG.get)
    assert "❌ Last attempt failed: Missing permissions in #storyline: Send Messages." in field(embed, "Last post")
    paused = guild_settings(paused=True, paused_reason="The storyline channel was deleted.")
    embed = build_status_embed(status(paused, remaining=2), CATALOG.get)
    assert field(embed, "Next post").startswith("⏸️ Paused (The storyline channel was deleted.)")
    assert "⚠️ Only 2 more" in field(embed, "Rotation")
    assert field(embed, "Last post") == "Nothing posted yet."
    disabled = build_status_embed(status(guild_settings(disabled=True)), CATALOG.get)
    assert field(disabled, "Next post").startswith("Disabled.")


# --------------------------------------------------------------------------- today, history


def test_today_links_the_post_or_says_when_or_why_not() -> None:
    settings = guild_settings()
    posted = StorylineToday(DAY, record(), None, paused=False, disabled=False)
    text = today_message(posted, settings, CATALOG.get)
    assert "**Error — VIXX (2014)**" in text and f"https://discord.com/channels/{GUILD}/333" in text
    coming = StorylineToday(DAY, None, ScheduledRun(DAY, RUN_AT), paused=False, disabled=False)
    assert today_message(coming, settings, CATALOG.get).startswith(
        "Today's storyline comes March 1, 2026 at 21:00 (Asia/Seoul)"
    )
    skipped = StorylineToday(DAY, record(PostState.SKIPPED), settings.next_run, paused=False, disabled=False)
    text = today_message(skipped, settings, CATALOG.get)
    assert text.startswith("Today's storyline (March 1, 2026) was skipped. The next one comes March 2")
    missed = StorylineToday(DAY, record(PostState.MISSED), settings.next_run, paused=False, disabled=False)
    assert "was missed" in today_message(missed, settings, CATALOG.get)
    paused = StorylineToday(DAY, None, None, paused=True, disabled=False)
    assert "paused" in today_message(paused, settings, CATALOG.get)


def test_history_lists_every_state_within_limits() -> None:
    states = [PostState.POSTED, PostState.FAILED, PostState.MISSED, PostState.SKIPPED, PostState.CLAIMED]
    records = [
        record(states[i % len(states)], local_date=DAY - timedelta(days=i), late=i == 0, error="x" * 500)
        for i in range(14)
    ]
    embed = build_history_embed(records, CATALOG.get)
    assert_within_discord_limits(embed)
    lines = (embed.description or "").splitlines()
    assert len(lines) == 14
    assert lines[0] == f"✅ March 1, 2026 — [Error — VIXX (2014)](https://discord.com/channels/{GUILD}/333) · late"
    assert lines[1].startswith("❌ February 28, 2026 — not posted: xxx") and len(lines[1]) < 260
    assert lines[2] == "💤 February 27, 2026 — missed"
    assert lines[3] == "⏭️ February 26, 2026 — skipped"
    assert lines[4] == "⏳ February 25, 2026 — Error — VIXX (2014) (being posted)"
    assert build_history_embed([], CATALOG.get).description == "Nothing posted yet."


def test_a_history_line_survives_an_entry_leaving_the_catalog() -> None:
    line = history_line(record(mv_id="gone-mv"), CATALOG.get)
    assert "`gone-mv` (no longer in the catalog)" in line


# --------------------------------------------------------------------------- admin replies


def test_admin_replies() -> None:
    preview = preview_content(plan(ping_role_id=77), "Asia/Seoul")
    assert preview.startswith("Preview — only you see this. The next post goes out March 1, 2026 at 21:00")
    assert "<@&77>" in preview and "thread" in preview
    outcome = PostOutcome(GUILD, DAY, RunResult.POSTED, "vixx-error", 333, None)
    posted = post_now_message(outcome, GUILD, CHANNEL, CATALOG.get)
    assert f"https://discord.com/channels/{GUILD}/{CHANNEL}/333" in posted
    failed = PostOutcome(GUILD, DAY, RunResult.FAILED, "vixx-error", error="Missing permissions")
    assert "I couldn't post it: Missing permissions." in post_now_message(failed, GUILD, CHANNEL, CATALOG.get)
    doubt = PostOutcome(GUILD, DAY, RunResult.IN_DOUBT, "vixx-error")
    assert "won't appear twice" in post_now_message(doubt, GUILD, CHANNEL, CATALOG.get)
    skipped = Skipped(ScheduledRun(DAY, RUN_AT), ScheduledRun(date(2026, 3, 2), RUN_AT + timedelta(days=1)))
    assert skipped_message(skipped, "Asia/Seoul").startswith(
        "Skipped the storyline for March 1, 2026. The next one comes March 2, 2026 at 21:00"
    )


def test_a_reason_that_says_what_to_do_is_not_contradicted_or_double_stopped() -> None:
    gone = "The storyline channel was deleted. Run /storyline setup with another channel."
    paused = build_status_embed(status(guild_settings(paused=True, paused_reason=gone)), CATALOG.get)
    assert field(paused, "Next post") == f"⏸️ Paused: {gone}"  # no "run /storyline resume" beside it
    failed = PostOutcome(GUILD, DAY, RunResult.FAILED, "vixx-error", error=gone)
    assert post_now_message(failed, GUILD, CHANNEL, CATALOG.get) == f"I couldn't post it: {gone}"
    refused = PostOutcome(GUILD, DAY, RunResult.FAILED, "vixx-error", error="Missing permissions in #x: Embed Links.")
    assert "Embed Links. Fix that" in post_now_message(refused, GUILD, CHANNEL, CATALOG.get)
    today = StorylineToday(DAY, record(PostState.FAILED, error=gone), None, paused=False, disabled=False)
    assert ".." not in today_message(today, guild_settings(), CATALOG.get)
    line = history_line(record(PostState.FAILED, error=gone, manual=True), CATALOG.get)
    assert line.endswith("· by /storyline post") and "posted with" not in line


# --------------------------------------------------------------------------- languages


def test_the_post_and_its_dates_follow_the_language_it_is_built_in() -> None:
    with speaking("ko"):
        embed = build_post_embed(entry("vixx-error"), plan())
        assert "2026년 3월 1일" in (embed.title or "")
        assert "2026년 3월 1일" in today_message(
            StorylineToday(DAY, record(PostState.SKIPPED), None, paused=False, disabled=False),
            guild_settings(),
            CATALOG.get,
        )
    with speaking("pt-BR"):
        assert format_day(DAY) == "1 de março de 2026"
        options = field(build_status_embed(status(guild_settings()), CATALOG.get), str(_("Options")))
        assert "6 horas" in options
    assert post_title(DAY) == "Storyline of the day — March 1, 2026"  # English again outside


def test_recovery_knows_the_title_in_every_language() -> None:
    titles = post_titles(DAY)
    assert post_title(DAY) in titles
    with speaking("ja"):
        assert post_title(DAY) in titles
    with speaking("vi"):
        assert post_title(DAY) in titles


def test_reasons_are_stored_in_english_and_shown_as_messages() -> None:
    gone = english(CHANNEL_GONE)
    assert gone == "The storyline channel was deleted. Run /storyline setup with another channel."
    assert shown(gone) == CHANNEL_GONE
    with speaking("ko"):  # rendered in Korean, the stored text stays English
        assert english(fill(MISSING_PERMISSIONS, channel="x", permissions="Send Messages")) == (
            "Missing permissions in #x: Send Messages."
        )
    nested = english(fill(GAVE_UP, attempts=3, reason=english(fill(MV_GONE, mv="gone-mv"))))
    assert nested == "gave up after 3 attempts: The MV 'gone-mv' is no longer in the catalog."
    message = shown(nested)
    assert isinstance(message, Msg) and message.msgid == GAVE_UP.msgid
    assert str(message) == nested
    assert shown("RuntimeError: connection reset") == "RuntimeError: connection reset"
    assert PostFailed(CHANNEL_GONE).reason == gone
