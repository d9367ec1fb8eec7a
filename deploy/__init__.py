"""Deployment files and the tools that fill them in (nginx.conf's renderer)."""
