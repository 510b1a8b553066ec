"""Privacy: the patient-identifier guard's detector (identifiers.py: what is recognised, `PatientIdGuard`) and the
words it looks for in each language (phrases.py)."""
