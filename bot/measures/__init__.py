"""The measures: process behavior charts of a team's (or a workspace's) Kaizen, the way Wheeler and Graban
teach them.

`periods` lays out weeks, fortnights and months in a team's zone; `series` counts each measure per complete
period from the raw data (and remembers complete periods); `xmr` judges a series (anchored baselines, steps, three
rules); `baselines` keeps the steps (rebases, shifts, undo); `figures` the 52-week headline with its denominator;
`report` puts a scope's series together (JSON, CSV); `words` and `charts` say and draw it.
"""
