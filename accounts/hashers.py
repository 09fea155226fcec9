"""Argon2 with a memory cost the machine can afford under a login storm (issue 18).

Django's default is 100 MiB per hash (memory_cost=102400 KiB) with 8 lanes: 8 concurrent log-ins
(the Procfile's 2 gunicorn workers x 4 threads) took 800 MiB. OWASP's minimum for argon2id is
19 MiB, 2 passes, 1 lane; the worst case is then 8 x 19 MiB = 152 MiB. The algorithm name is
unchanged, so stored hashes still verify and are re-hashed with these costs at the next log-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class WahajArgon2PasswordHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB per hash
    time_cost = 2
    parallelism = 1
