"""``make mutation``: cosmic-ray over the stdlib's socketserver.py, judged by two suites.

``run`` drives it, ``judge`` is cosmic-ray's test command, ``reach`` proves which targets
a mutant can affect, ``crtools`` runs inside cosmic-ray's own venv, ``triage`` holds the
mutant identity, the triage file and the results format.  Not part of the distribution.
"""
