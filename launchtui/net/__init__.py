"""Network probes for checks: HTTP fetches and TLS handshakes that go where DNS says.

Every connection goes to an address our resolver chose (the run's --nameserver),
while the URL, Host header, SNI and connection-pool key keep the real name.
"""
