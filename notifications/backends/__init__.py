"""Where messages leave Wahaj: SMS backends (`sms`) and Django's own e-mail backend."""
