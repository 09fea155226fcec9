"""Error reports never carry a beneficiary's identifiers or a secret, decorated view or not.

`sensitive_post_parameters` marks the fields of the views that take them; this filter (the
project's DEFAULT_EXCEPTION_REPORTER_FILTER) also hides, on every view, any POST field whose
name says it holds one — a safety net for a view that forgot the decorator.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

ALWAYS_HIDDEN = re.compile(
    r"national_id|password|passwd|secret|token|code|otp|iban|mobile|phone|email|"
    r"full_name|signed_name|^q$",
    re.IGNORECASE,
)


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        shown = super().get_post_parameters(request)
        if request is None:
            return shown
        shown = shown.copy()
        for name in list(shown):
            if ALWAYS_HIDDEN.search(name):
                shown[name] = self.cleansed_substitute
        return shown
