"""Searches whose text must never sit in an address.

What staff type in a search box may be a national ID or a mobile. A GET form would put it in
the address, and from there in the browser's history, the server's access log and the
`Referer` of the next page. So the search text is posted, kept in the session under the list's
key, and the list is redirected to with its other filters (state, type, page…) in the address
and `search=1` in place of the text. The list page and its exports read it back from there.
"""

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect

SEARCH_FIELD = "q"
MAX_LENGTH = 100


def remember_search(
    request: HttpRequest, session_key: str, fields: Iterable[str]
) -> HttpResponseRedirect:
    """The posted search: its text into the session, the other `fields` into the address of
    the list it was posted to."""
    request.session[session_key] = request.POST.get(SEARCH_FIELD, "").strip()[:MAX_LENGTH]
    query = QueryDict(mutable=True)
    for key in fields:
        if key != SEARCH_FIELD and request.POST.get(key):
            query[key] = request.POST[key]
    query["search"] = "1"
    return redirect(f"{request.path}?{query.urlencode()}")


def search_params(request: HttpRequest, session_key: str) -> QueryDict:
    """The list's filters: the address's, plus the remembered text when `search=1` says so.

    A `q` in the address itself is dropped: no link, bookmark or script can carry one.
    """
    data = request.GET.copy()
    data.pop(SEARCH_FIELD, None)
    if data.get("search") == "1":
        data[SEARCH_FIELD] = request.session.get(session_key, "")
    return data
