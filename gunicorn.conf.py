"""gunicorn's settings, read from the working directory by default (the Procfile's `web` and
`make run` start it from the project root): the command-line options in the Procfile still
apply. What this adds: an access log without secrets.

A survey link carries its token in the path (`/surveys/r/<token>/`) and a page opened from it
sends that URL as the Referer of every asset it loads; query strings may carry codes or staff
searches for a name or an ID. Every access log line has them masked (issue 18, item 9).
"""

from gunicorn.glogging import Logger

from wahaj.lib.logging import redact_url


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Raw headers and environ variables ({referer}i, {query_string}e…) are left out:
        # a custom format naming them would bring the secrets back.
        atoms = {key: value for key, value in atoms.items() if not key.startswith("{")}
        uri = redact_url(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {uri} {environ.get('SERVER_PROTOCOL')}"
        atoms["U"] = redact_url(atoms.get("U") or "")
        atoms["q"] = "-"
        atoms["f"] = redact_url(atoms["f"]) if atoms.get("f", "-") != "-" else "-"
        return atoms


logger_class = RedactingLogger
