"""Use cases of the certification service: validate, append events, project, evaluate."""
