"""The learner: the scenario engine (pure), attempts, the one path that records learning events,
the role track (pure) and the learner's queries."""
