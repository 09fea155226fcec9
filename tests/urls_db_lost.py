"""A URLconf whose view loses its database connection between two writes of one transaction."""

import psycopg2
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path

from beneficiaries.tests.factories import BeneficiaryFactory


def terminate_backend(pid: int) -> None:
    """What a PostgreSQL restart does to one connection, from a second connection."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg2.connect(**params) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def write_twice(request):
    with transaction.atomic():
        BeneficiaryFactory(full_name="الأولى قبل الانقطاع")
        terminate_backend(connection.connection.info.backend_pid)
        BeneficiaryFactory(full_name="الثانية بعد الانقطاع")
    return HttpResponse("saved")


urlpatterns = [path("write-twice/", write_twice)]
handler500 = "wahaj.errors.server_error"
