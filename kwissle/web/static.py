"""Static files as nginx serves them in production (nginx.conf): a URL with `?v=<hash>`
never changes content, so it is cached for long; a URL without it is revalidated.

The play page's ES modules import each other by plain relative URLs (`./dom.js`): only
the entry `main.js` gets a hash from `static_url`. Without a Cache-Control header a
browser may keep such a module for a while on heuristics (from Last-Modified) and run an
old `dom.js` beside a new `main.js` after a deploy; `no-cache` makes it ask each time
(a cheap 304 while the file is unchanged).
"""

from __future__ import annotations

from tornado.web import StaticFileHandler


class StaticFiles(StaticFileHandler):
    def set_extra_headers(self, path: str) -> None:
        if not self.get_argument("v", None):
            self.set_header("Cache-Control", "no-cache")
