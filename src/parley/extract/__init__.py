"""The extract stage: one document to records. One module per kind of record;
``parley.extract.run`` runs them in order over parsed documents, ``parley.extract.tasks``
cuts the work into tasks and ``parley.extract.engines`` runs the tasks."""

# Bump when extraction rules change, so stored documents are extracted again.
EXTRACTOR_VERSION = "5"
