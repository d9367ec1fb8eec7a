"""Render deploy/nginx.conf.template: fill its `{{name}}` placeholders.

The repository's `nginx.conf` is this template rendered with the defaults (the
README's layout: the code in /srv/kwissle, Debian's nginx); a test keeps the two
in step. The operator with another layout, and the tests, render the same
template with other values:

    .venv/bin/python deploy/nginx_conf.py [--listen 80] [--web-ports 8001,8002] [--root DIR] ... > /etc/nginx/nginx.conf

Every placeholder must get a value and every value must name a placeholder; a
value that could break out of its directive (a space, `;`, `{`, a newline) is
refused. Defaults match deploy/production.env and Debian's nginx.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
RENDERED = ROOT / "nginx.conf"
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
SAFE_VALUE = re.compile(r"[A-Za-z0-9_./:\[\]-]+")

DEFAULTS = {
    "listen": "80",
    "web_port_1": "8001",
    "web_port_2": "8002",
    "game_port": "8010",
    "admin_port": "8020",
    "root": "/srv/kwissle",  # where the README installs the code
    "maintenance_dir": "/var/www/kwissle",
    "user": "www-data",
    "log_dir": "/var/log/nginx",
    "state_dir": "/var/lib/nginx",
}


class RenderError(ValueError):
    pass


def render(values: dict[str, str] | None = None, template: str | None = None) -> str:
    """The template with every placeholder filled from DEFAULTS overridden by `values`."""
    text = TEMPLATE.read_text(encoding="utf-8") if template is None else template
    filled = {**DEFAULTS, **{k: str(v) for k, v in (values or {}).items()}}
    wanted = set(PLACEHOLDER.findall(text))
    unknown = set(values or {}) - wanted
    if unknown:
        raise RenderError(f"the nginx template has no placeholder {', '.join(sorted(unknown))}")
    missing = wanted - set(filled)
    if missing:
        raise RenderError(f"no value for {', '.join('{{%s}}' % name for name in sorted(missing))}")
    for name in wanted:
        if not SAFE_VALUE.fullmatch(filled[name]):
            raise RenderError(f"{name}={filled[name]!r}: only letters, digits and ./:-_[] are allowed")
    return PLACEHOLDER.sub(lambda match: filled[match.group(1)], text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print nginx.conf with its placeholders filled.")
    parser.add_argument("--web-ports", help=f"the two web ports (default {DEFAULTS['web_port_1']},"
                                            f"{DEFAULTS['web_port_2']})")
    for name, default in DEFAULTS.items():
        if not name.startswith("web_port"):
            parser.add_argument("--" + name.replace("_", "-"), dest=name, help=f"default {default}")
    args = vars(parser.parse_args(argv))
    values = {name: value for name, value in args.items() if value is not None and name != "web_ports"}
    if args["web_ports"]:
        ports = args["web_ports"].split(",")
        if len(ports) != 2:
            parser.error("--web-ports takes two ports, like 8001,8002 (add a server line to deploy/nginx.conf.template for more)")
        values["web_port_1"], values["web_port_2"] = ports
    try:
        sys.stdout.write(render(values))
    except RenderError as error:
        print(f"nginx_conf: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
