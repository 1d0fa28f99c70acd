"""Email authentication: can receivers tell mail really sent by the product from forgeries?

SPF (RFC 7208, `spf`) lists the servers allowed to send as the domain, DKIM (RFC 6376,
`dkim`) signs mail with a key published in DNS, and DMARC (RFC 7489, `dmarc`) tells
receivers what to do when both fail and where to send reports. Record syntax is judged
by the pure parsers in `launchtui.parsers`; these modules fetch records and follow SPF
includes themselves.

We do not use checkdmarc (though its modules are laid out the same way): it is
synchronous (it would block the event loop or need a thread per lookup), caches answers
process-wide for 30 minutes (a founder who fixes SPF and re-runs would see the stale
record), and raises at the first problem instead of reporting them all.

Severities. high: forged mail passes as the product's, or its own mail fails
authentication and lands in spam (no or broken SPF, over a lookup limit, no DMARC,
p=none at launch for a product that sends mail, a DKIM key receivers reject).
critical: only +all, which vouches for every server on the internet. medium: weaker
protection or visibility that still works (no rua, sp=/pct=, a 1024-bit key, p=none
where the profile allows it, no DKIM found by guessing). low: advice (close to the
lookup limit, a revoked key under a guessed selector, the parsers' notes).
"""
