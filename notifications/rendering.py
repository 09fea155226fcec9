"""Messages as text templates: `templates/notifications/<template>.<language>.txt`.

The first line of a template is the e-mail subject; the rest is the body, sent as the SMS text
and as the e-mail body. Rendered without HTML escaping (it is plain text), in the recipient's
language, so that dates and numbers read in her language.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import translation

LANGUAGES = ("ar", "en")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(
        dirs=[str(d) for d in settings.TEMPLATES[0]["DIRS"]],
        autoescape=False,
        builtins=["notifications.templatetags.notification_text"],
        loaders=[
            ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])
        ],
    )


def template_name(template: str, language: str) -> str:
    return f"notifications/{template}.{language}.txt"


def template_check(template: str, language: str) -> None:
    """Raise TemplateDoesNotExist now, inside the caller's transaction, not later in a worker."""
    if language not in LANGUAGES:
        raise TemplateDoesNotExist(template_name(template, language))
    _engine().get_template(template_name(template, language))


def render(template: str, language: str, context: dict) -> Rendered:
    with translation.override(language):
        context = {"association": settings.ASSOCIATION_NAME, **context}
        text = _engine().get_template(template_name(template, language)).render(Context(context))
    subject, _sep, body = text.strip().partition("\n")
    body = "\n".join(line.rstrip() for line in body.strip().splitlines())
    return Rendered(subject=subject.strip(), body=body)
