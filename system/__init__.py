"""The system as a whole: what sees all four services at once.

Above `services/` and `shared/`, never imported by either: the local supervisor of
`make run` (`devstack`), the `miiwrap` command (`cli`), the demo agency (`demo`), the
NATS configuration of every service and agency app (`nats_config`), and the generators
of the documents that describe every service together (`asyncapi`, `permission_table`).
"""
