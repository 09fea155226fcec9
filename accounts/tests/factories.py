import factory
from django.contrib.auth.models import Group

from accounts.models import User

TEST_PASSWORD = "correct-horse-battery-staple-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "نورة"
    last_name = factory.Sequence(lambda n: f"الموظفة {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@wahaj.invalid")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        for role in extracted:
            self.groups.add(Group.objects.get_or_create(name=role)[0])
