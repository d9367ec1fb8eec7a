"""Development mail: each message written to `data/mail/<time>-<id>.eml`, its links logged.

With no SMTP server configured, nobody would ever see a sign-in link; so the message
is kept as a file any mail client opens, and every link in it is logged at INFO, so a
new user signs in locally from the terminal running `serve`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from pathlib import Path

from kwissle.mail.message import build_message
from kwissle.model import Mail

log = logging.getLogger("kwissle.mail")

_LINK = re.compile(r"https?://\S+")


class FileSender:
    def __init__(self, folder: Path, mail_from: str) -> None:
        self.folder = folder
        self.mail_from = mail_from

    async def send(self, mail: Mail) -> None:
        data = bytes(build_message(mail, self.mail_from))
        path = await asyncio.to_thread(self._write, mail, data)
        links = _LINK.findall(mail.body)
        log.info("mail to %s written to %s%s", mail.to, path,
                 "".join(f"; link: {link}" for link in links))

    def _write(self, mail: Mail, data: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(mail.created_at or time.time()))
        path = self.folder / f"{stamp}-{mail.id}.eml"
        partial = path.with_suffix(".eml.part")  # a reader never sees half a message
        partial.write_bytes(data)
        partial.replace(path)
        return path
