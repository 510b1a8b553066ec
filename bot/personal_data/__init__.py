"""People's rights over what the bot keeps (product page, Privacy): what is held about someone, as a file
(subject_access.py); being forgotten (erasure.py); and keeping text only as long as agreed (retention.py)."""
