"""Founder runbooks: rotate a secret, roll back a deploy, restore a redirect, verify email,
run the smoke test, answer an outage: guided, verified and logged."""
