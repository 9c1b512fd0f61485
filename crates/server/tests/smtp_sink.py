"""An SMTP server for the notification tests (crates/server/tests/notify.rs).

Usage: python3 smtp_sink.py OUT_DIR [--refuse-recipients]

Listens on 127.0.0.1 on a port the system picks and prints that port on the first line of its
output, so the test never races another process for a port. Each message received is written
to OUT_DIR/N.json (envelope, decoded subject and body, raw text), through a temporary file so
the test never reads half a message. With --refuse-recipients every recipient is refused for
good (550), as a server does for an unknown mailbox, quoting the address as servers do. Exits when its standard input closes: the test holds it
open, and a test that dies takes the sink with it.
"""

import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out, refuse):
        self.out = out
        self.refuse = refuse
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "body": part.get_content() if part is not None else "",
            "raw": raw.decode("utf-8", "replace"),
        }
        final = os.path.join(self.out, f"{self.count}.json")
        with open(final + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(final + ".tmp", final)
        return "250 OK"


async def main():
    out = sys.argv[1]
    refuse = "--refuse-recipients" in sys.argv[2:]
    loop = asyncio.get_running_loop()
    # A fixed hostname: the default looks up this machine's FQDN, which can stall offline.
    server = await loop.create_server(
        lambda: SMTP(Sink(out, refuse), hostname="sink.test"), "127.0.0.1", 0
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
