from functools import cache

import factory
from django.contrib.auth.hashers import get_hasher, make_password
from django.contrib.auth.models import Group

from accounts.models import User

TEST_PASSWORD = "correct-horse-battery-staple-9"


def hashed_test_password() -> str:
    """TEST_PASSWORD hashed once per test run and hasher, with the real hasher (argon2 at its
    real cost): hashing it anew for each of the suite's thousands of users cost minutes."""
    return _hashed(get_hasher().algorithm)


@cache
def _hashed(algorithm: str) -> str:
    return make_password(TEST_PASSWORD, hasher=algorithm)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "نورة"
    last_name = factory.Sequence(lambda n: f"الموظفة {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@wahaj.invalid")
    password = factory.LazyFunction(hashed_test_password)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for role in extracted:
            self.groups.add(Group.objects.get_or_create(name=role)[0])
