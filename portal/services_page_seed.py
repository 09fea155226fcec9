# ruff: noqa: E501 - sentences of the page, kept whole so that they can be read and edited
"""The first text of `/services/` (issue 20), written by the migration that creates its models
and again after a flush (transactional tests empty the tables): managers change it in the admin
afterwards, and what exists is never overwritten."""

TYPES = [
    (
        "financial_aid",
        "الأسر المحتاجة من الأرامل والمطلقات والمعلقات والمهجورات وأسر السجناء، ممن يقل دخل الفرد فيها عن حد الكفاية.",
        "Families in need — widows, divorced, suspended or deserted women, prisoners' families — whose income per person is below the threshold.",
        "آخر كشف حساب بنكي إن وُجد.",
        "Your latest bank statement, if you have one.",
    ),
    (
        "food_basket",
        "الأسر التي لا يكفي دخلها لحاجتها من الغذاء.",
        "Families whose income does not cover their food.",
        "",
        "",
    ),
    (
        "rent",
        "المستأجرات المتأخرات في سداد الإيجار أو المهددات بالإخلاء.",
        "Tenants behind on their rent or at risk of eviction.",
        "إشعار المطالبة أو الإخلاء من المؤجر إن وُجد.",
        "The landlord's demand or eviction notice, if any.",
    ),
    (
        "utility_bills",
        "الأسر المتأخرة في سداد فواتير الكهرباء أو الماء.",
        "Families behind on their electricity or water bills.",
        "الفواتير غير المسددة.",
        "The unpaid bills.",
    ),
    (
        "medical",
        "المستفيدات وأفراد أسرهن ممن يحتاجون علاجًا أو أجهزة طبية لا تغطيها جهة أخرى.",
        "Her and her household, for treatment or medical devices no one else covers.",
        "عرض سعر من الجهة الطبية.",
        "A quotation from the clinic or supplier.",
    ),
    (
        "education",
        "أبناء الأسر المستفيدة في التعليم العام والجامعي: رسوم ومستلزمات دراسية.",
        "Children of the families served, at school or university: fees and supplies.",
        "",
        "",
    ),
    (
        "furniture",
        "الأسر التي تنقصها أجهزة أو أثاث أساسي في المسكن.",
        "Families missing basic furniture or appliances at home.",
        "",
        "",
    ),
    (
        "seasonal",
        "الأسر المسجلة في مواسم رمضان والعيد والعودة إلى المدارس.",
        "Registered families, for Ramadan, Eid and the start of the school year.",
        "",
        "",
    ),
    (
        "other",
        "كل حاجة لا تدخل في الأنواع السابقة؛ تدرسها لجنة البحث الاجتماعي.",
        "Any need that is not one of the above; the social committee studies it.",
        "ما يثبت الحاجة.",
        "Whatever shows the need.",
    ),
]
DECISION_AR = "تجيب لجنة البحث الاجتماعي خلال أسبوعين من استلام الطلب مكتملًا."
DECISION_EN = "The social committee answers within two weeks of receiving the request complete."


def services_page_seed(SupportTypeInfo, ServicesPageText) -> None:
    """Create what is missing (the migration passes its historical models)."""
    for order, (request_type, who_ar, who_en, bring_ar, bring_en) in enumerate(TYPES):
        SupportTypeInfo.objects.get_or_create(
            request_type=request_type,
            defaults={
                "who_for_ar": who_ar,
                "who_for_en": who_en,
                "bring_ar": bring_ar,
                "bring_en": bring_en,
                "decision_time_ar": DECISION_AR,
                "decision_time_en": DECISION_EN,
                "order": order,
            },
        )
    ServicesPageText.objects.get_or_create(
        pk=1,
        defaults={
            "intro_ar": "تخدم الجمعية النساء المحتاجات وأسرهن. هذه أنواع الدعم التي نقدمها، ولمن، وما تحتاجينه للتقديم.",
            "intro_en": "The association serves women in need and their families. These are the kinds of support we give, to whom, and what you need to apply.",
            "how_to_apply_ar": "قدّمي طلبك عبر الموقع من صفحة «التقديم الإلكتروني»، أو بزيارة مقر الجمعية، أو بالاتصال بنا. إن كان لك ملف لدينا فادخلي إلى خدماتي برقم هويتك.",
            "how_to_apply_en": "Apply on the website (Apply online), at the association's office, or by phone. If you already have a file with us, log in to your services with your ID number.",
            "how_to_complain_ar": "لك أن تقدّمي شكوى أو اقتراحًا أو استفسارًا من صفحة «تواصلي مع الجمعية»، باسمك أو دون ذكره في الشكوى، وسنرد عليك في المدة المعلنة.",
            "how_to_complain_en": "You may file a complaint, a suggestion or a question on the Contact the association page, with your name or, for a complaint, without it; we answer within the stated time.",
        },
    )
