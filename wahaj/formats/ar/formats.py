"""Arabic number separators as the `number` filter writes them (issue 16: one way to write a
number per language).

Django's Arabic locale writes decimals with a comma and thousands with a point ("3,74",
"1.200"): beside the `number` filter's "1,200.00" a page read two ways, and a form showed an
amount its own digits parser read back a hundred times larger. Only the separators are set
here; every other format falls back to Django's Arabic locale.
"""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
