import pytest

from programs.tests.factories import basket_program, fund_with


@pytest.fixture
def fund(manager_user):
    return fund_with(actor=manager_user, name="التبرعات العامة", balance="10000")


@pytest.fixture
def program(manager_user, fund):
    return basket_program(actor=manager_user, fund=fund)
