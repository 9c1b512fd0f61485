#!/usr/bin/env python3
"""Writes an officer's last hours of exposure and two breaks into a scratch database, for the
screenshot of "Mon service" (mon-service-screenshot.sh). Never for a real database.

The afternoon drawn: a plain chat, then a minor's account of incest, a flagged chat, a visitor
in danger, with a break between; fixed, so the picture is the same each time.
Usage: seed_wellbeing.py DATABASE USERNAME"""
import sqlite3
import sys
import time
import uuid

database, username = sys.argv[1], sys.argv[2]
db = sqlite3.connect(database)
(user,) = db.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
now = int(time.time() // 60)
# (minutes ago it began, minutes ago it ended, danger, flagged, minor, grave)
chats = [
    (215, 170, 0, 0, 0, 0),
    (160, 110, 0, 0, 1, 1),
    (130, 95, 0, 1, 0, 0),
    (70, 25, 1, 1, 0, 0),
    (50, 1, 0, 0, 0, 0),
]
for began, ended, danger, flagged, minor, grave in chats:
    chat = str(uuid.uuid4())
    db.executemany(
        "INSERT INTO exposure_minutes VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(chat, now - m, user, danger, flagged, minor, grave) for m in range(ended, began)],
    )
ms = int(time.time() * 1000)
for began, ended in [(300, 285), (92, 75)]:
    db.execute(
        "INSERT INTO breaks VALUES (?, ?, ?)",
        (user, ms - began * 60_000, ms - ended * 60_000),
    )
db.commit()
