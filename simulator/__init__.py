"""The Django project and the learner's side of CasePath."""
