"""Authoring and clinical review of cases in the browser, one module per job:
``library`` (the list of cases and ways to start one), ``editor`` (the draft's
forms and its YAML), ``review`` (moving a version through review, its
versions and export) and ``tools`` (the stage picture and the scored paths).

Every view gets its case through ``cases.access`` (a 404 for anyone who is not
an instructor of the case's program), writes through ``cases.authoring``, and
renders. The preview is the player's: ``simulator.views.preview``.
"""
