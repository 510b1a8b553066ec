"""Block Kit rendering, one module per surface, returning Block Kit objects (layout lives here only):
`card`, `raise_form`, `lifecycle_forms`, `replies`, `huddle`, `home`, `welcome`, `stats`, `notices`; the wording they
share in `words`, every id in `ids`, what modals carry in `metadata`. Sizes come from `bot.limits`.
"""
