#!/usr/bin/env python3
"""Fills the statistics record and the presence history of a scratch database with eight weeks
of synthetic rows, for the screenshots of the statistics page and of the staffing plan
(statistics-screenshot.sh). Never for a real database.

The rows are drawn from fixed proportions with a fixed seed, so the picture is the same each
time: arrivals heavier in the evening and at weekends, about one person in ten a minor, waits
mostly short, a few people leaving before an answer, about a quarter of chats forwarded.
Usage: seed_statistics.py DATABASE [WEEKS]"""
import datetime
import random
import sqlite3
import sys
import uuid

database = sys.argv[1]
weeks = int(sys.argv[2]) if len(sys.argv) > 2 else 8
rng = random.Random(20)

# Relative arrivals by hour of the day: quiet at night, busiest in the evening.
hourly = [3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 7, 8, 9, 10, 11, 11, 10, 8, 5]
# Relative arrivals by day, Monday first: a little more at the weekend.
daily = [10, 9, 9, 10, 11, 13, 13]
slots = [(d * 24 + h, daily[d] * hourly[h]) for d in range(7) for h in range(24)]
facts = [("rape", 9), ("sexual_assault", 14), ("sexual_harassment", 12), ("street_harassment", 6),
         ("exhibitionism", 3), ("domestic_violence", 30), ("cyber_violence", 10), ("incest", 4),
         ("prostitution", 2), ("other", 5)]
waits = [("lt1m", 45), ("1-5m", 30), ("5-15m", 15), ("15-60m", 8), ("ge60m", 2)]
durations = [("lt10m", 10), ("10-30m", 25), ("30-60m", 35), ("60-120m", 22), ("ge120m", 8)]
outcomes = [("information_given", 35), ("referred_to_support", 30), ("report_forwarded", 25),
            ("intervention_requested", 3), ("blocked", 2)]
departements = [("75", "police", 14), ("69", "police", 10), ("13", "police", 9),
                ("59", "police", 7), ("33", "police", 5), ("44", "gendarmerie", 4),
                ("48", "gendarmerie", 2), ("2A", "gendarmerie", 2), ("971", "gendarmerie", 2),
                (None, None, 3)]
states = [("sent", 2), ("received", 3), ("contacted", 5), ("appointment_set", 3),
          ("complaint_taken", 4), ("could_not_reach", 1)]
contacts = [("lt1d", 30), ("1-3d", 40), ("3-7d", 20), ("ge7d", 10)]


def pick(pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[-1] for p in pairs])[0]


db = sqlite3.connect(database)
columns = {row[1] for row in db.execute("PRAGMA table_info(chat_statistics)")}
later_life = {"dossier_state", "first_contact"} <= columns
this_monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday())
rows = 0
for back in range(weeks, 0, -1):
    year, week, _ = (this_monday - datetime.timedelta(weeks=back)).isocalendar()
    # A slow rise over the weeks, as after a campaign.
    count = 260 + 12 * (weeks - back) + rng.randint(-20, 20)
    for _ in range(count):
        hour = pick(slots)
        departement, force, _ = rng.choices(departements, weights=[d[2] for d in departements])[0]
        force = force or rng.choice(["police", "gendarmerie"])
        minor = rng.random() < 0.1
        witness = rng.random() < 0.15
        left = rng.random() < 0.07
        quick_exit = left and rng.random() < 0.5 or rng.random() < 0.02
        if left:
            ending, wait, duration, chat_facts = "visitor_left", pick(waits[1:]), None, []
        else:
            ending, wait, duration = pick(outcomes), pick(waits), pick(durations)
            chat_facts = [] if rng.random() < 0.2 else sorted(
                {pick(facts) for _ in range(1 + (rng.random() < 0.3))},
                key=[f[0] for f in facts].index)
        forwarded = ending == "report_forwarded"
        row = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "iso_week": year * 100 + week,
            "hour_of_week": hour,
            "departement": departement,
            "force": force,
            "unit_id": "commissariat-lyon" if forwarded else None,
            "reporter": "witness" if witness else "victim",
            "minor": int(minor),
            "language": rng.choices(["fr", "en", "es", "ar"], weights=[90, 4, 3, 3])[0],
            "facts": ",".join(chat_facts),
            "ending": ending,
            "wait": wait,
            "duration": duration,
            "handovers": rng.choices([0, 1, 2, 3], weights=[85, 11, 3, 1])[0],
            "quick_exit": int(quick_exit),
            "left_before_answer": int(left),
            "danger_path": int(rng.random() < 0.04),
            "risk_labels": "",
        }
        if later_life and forwarded:
            row["dossier_state"] = pick(states)
            if row["dossier_state"] in ("contacted", "appointment_set", "complaint_taken"):
                row["first_contact"] = pick(contacts)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        db.execute(f"INSERT INTO chat_statistics ({names}) VALUES ({marks})", list(row.values()))
        rows += 1
# The presence history the staffing plan sets against its needs: a roster of fixed shifts
# (one officer at night, two by day), which leaves the busiest evening hours short.
has_presence = db.execute(
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'presence_history'").fetchone()
roster = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1]
hours = 0
if has_presence:
    for back in range(weeks, 0, -1):
        year, week, _ = (this_monday - datetime.timedelta(weeks=back)).isocalendar()
        for slot in range(168):
            officers = roster[slot % 24] + (1 if slot // 24 >= 5 and slot % 24 >= 12 else 0)
            # Someone late, someone leaving early: a few officer-minutes either way.
            minutes = max(0, officers * 60 + rng.randint(-25, 10))
            db.execute(
                "INSERT INTO presence_history (iso_week, hour_of_week, officer_minutes, "
                "minutes_sampled, minute_mask) VALUES (?, ?, ?, 60, ?)",
                (year * 100 + week, slot, minutes, (1 << 60) - 1))
            hours += 1
db.commit()
print(f"{rows} rows over {weeks} weeks; {hours} hours of presence")
