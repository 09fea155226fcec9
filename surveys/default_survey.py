"""The default Arabic satisfaction survey (SPEC §7), as plain data.

Used both by the data migration and by the post_migrate hook (surveys.apps), which recreates it
after a test database flush; managers edit it afterwards (admin), so neither overwrites it.
"""

SLUG = "default"
TITLE = "استبانة رضا المستفيدات"
INTRODUCTION = (
    "تقييم الخدمة حقٌّ من حقوقكِ، وهو أداة للتطوير والتحسين لا للعقاب أو التشهير. "
    "تُجمع الإجابات دون أسماء، ولا تؤثر إجابتكِ على أي طلب لكِ."
)

# (key, kind, text, required) in the order she reads them.
QUESTIONS: list[tuple[str, str, str, bool]] = [
    ("reception", "rating", "كيف تقيّمين الاستقبال وحسن التعامل والاحترام؟", True),
    ("answered", "yes_no", "هل أُجيب عن جميع استفساراتكِ؟", True),
    ("clarity", "rating", "ما مدى وضوح الإجراءات والمتطلبات لكِ؟", True),
    ("time_given", "rating", "كيف تقيّمين الوقت الذي أُعطي لكِ لعرض حاجتكِ؟", True),
    ("speed", "rating", "كيف تقيّمين سرعة إنجاز طلبكِ؟", True),
    ("outcome", "rating", "ما مدى رضاكِ عن نتيجة طلبكِ؟", True),
    (
        "recommend",
        "recommend",
        "ما مدى احتمال أن تنصحي قريبةً أو صديقةً بالجمعية؟ (من 0 إلى 10)",
        True,
    ),
    ("comments", "text", "ملاحظاتكِ ومقترحاتكِ لتحسين الخدمة", False),
]


def ensure(survey_model, question_model) -> bool:
    """Create the default survey with its questions unless it exists. Returns True if created.

    Takes the model classes so that the data migration can pass its historical models.
    """
    survey, created = survey_model.objects.get_or_create(
        slug=SLUG, defaults={"title": TITLE, "introduction": INTRODUCTION, "is_active": True}
    )
    if created:
        question_model.objects.bulk_create(
            question_model(
                survey=survey, position=i, key=key, kind=kind, text=text, required=required
            )
            for i, (key, kind, text, required) in enumerate(QUESTIONS, start=1)
        )
    return created
